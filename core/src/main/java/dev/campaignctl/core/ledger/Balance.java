package dev.campaignctl.core.ledger;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A customer's points: {@code available} is the sum of the ledger entries (negative when refunds
 * took back points already spent: a debt that later earnings pay first), the other totals are by
 * entry type, and {@code nextExpiry} is the earliest lot to expire.
 */
public record Balance(String customerId, BigDecimal available, BigDecimal earned, BigDecimal redeemed,
                      BigDecimal reversed, BigDecimal expired, BigDecimal adjusted, boolean negative,
                      NextExpiry nextExpiry, Instant updatedAt) {

    /** Points that expire next, and when. */
    public record NextExpiry(BigDecimal points, Instant at) {
    }
}
