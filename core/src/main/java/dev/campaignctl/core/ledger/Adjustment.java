package dev.campaignctl.core.ledger;

import java.math.BigDecimal;

/** A manual change of a customer's points, with its reason, and the balance after. */
public record Adjustment(long entryId, String customerId, BigDecimal points, String reason, Balance balance) {
}
