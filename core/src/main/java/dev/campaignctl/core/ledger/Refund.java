package dev.campaignctl.core.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;

/**
 * A refund of (part of) a purchase: the points it took back (zero when the event is not processed
 * yet: the processor then pays only the remainder) and the customer's balance after.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Refund(long refundId, long eventId, BigDecimal amount, BigDecimal reversedPoints, Balance balance) {
}
