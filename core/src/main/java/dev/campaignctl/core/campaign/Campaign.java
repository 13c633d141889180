package dev.campaignctl.core.campaign;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A loyalty campaign as stored and as returned on the wire. {@code budgetTotal} and
 * {@code customerCap} are optional limits in points; {@code budgetSpent} is what has been paid.
 */
public record Campaign(
        long id,
        String name,
        String description,
        CampaignStatus status,
        Instant startsAt,
        Instant endsAt,
        EvaluationMode evaluation,
        BigDecimal budgetTotal,
        BigDecimal budgetSpent,
        BigDecimal customerCap,
        Instant createdAt,
        Instant updatedAt) {

    /** True when an event at {@code when} falls inside the campaign's window. */
    public boolean covers(Instant when) {
        return (startsAt == null || !when.isBefore(startsAt)) && (endsAt == null || when.isBefore(endsAt));
    }

    public boolean hasLimits() {
        return budgetTotal != null || customerCap != null;
    }
}
