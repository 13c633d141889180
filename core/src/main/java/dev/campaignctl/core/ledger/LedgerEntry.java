package dev.campaignctl.core.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** One append-only change to a customer's points and the lots it touched. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LedgerEntry(long id, String customerId, String type, BigDecimal points, Long eventId, Long earningId,
                          Long redemptionId, Long refundId, Long campaignId, String reason, String actor,
                          Instant createdAt, List<LotChange> lots) {
}
