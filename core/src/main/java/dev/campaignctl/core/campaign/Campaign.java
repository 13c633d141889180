package dev.campaignctl.core.campaign;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * A loyalty campaign as stored and as returned on the wire. {@code budgetTotal} and
 * {@code customerCap} are optional limits in points; {@code budgetSpent} is what has been paid;
 * {@code pointsValidFor} (ISO-8601, {@code P365D}) how long earned points last (null: for ever).
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
        Instant updatedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) String pointsValidFor) {

    public Campaign(long id, String name, String description, CampaignStatus status, Instant startsAt, Instant endsAt,
                    EvaluationMode evaluation, BigDecimal budgetTotal, BigDecimal budgetSpent, BigDecimal customerCap,
                    Instant createdAt, Instant updatedAt) {
        this(id, name, description, status, startsAt, endsAt, evaluation, budgetTotal, budgetSpent, customerCap,
                createdAt, updatedAt, null);
    }

    /** True when an event at {@code when} falls inside the campaign's window. */
    public boolean covers(Instant when) {
        return (startsAt == null || !when.isBefore(startsAt)) && (endsAt == null || when.isBefore(endsAt));
    }

    public boolean hasLimits() {
        return budgetTotal != null || customerCap != null;
    }
}
