package dev.campaignctl.core.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** Points a customer spent, the lots they came from, and the balance after. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Redemption(long id, String customerId, BigDecimal points, String reason, String externalId,
                         boolean reversed, List<LotChange> lots, Balance balance, Instant createdAt) {
}
