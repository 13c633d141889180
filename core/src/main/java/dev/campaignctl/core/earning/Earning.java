package dev.campaignctl.core.earning;

import java.math.BigDecimal;
import java.time.Instant;

/** Points paid to a customer for one event by one campaign's rule. */
public record Earning(
        long id,
        long eventId,
        long campaignId,
        long ruleId,
        String customerId,
        BigDecimal amount,
        Instant createdAt) {
}
