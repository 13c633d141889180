package dev.campaignctl.core.ledger;

import java.math.BigDecimal;
import java.time.Instant;

/** How an entry changed one lot (signed points), and when that lot expires. */
public record LotChange(long lotId, BigDecimal points, Instant expiresAt) {
}
