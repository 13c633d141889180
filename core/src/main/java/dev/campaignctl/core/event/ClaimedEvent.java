package dev.campaignctl.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.json.Json;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * A pending event as the processor claimed it: just what rules, earnings and refunds need. A
 * refund event has {@code refersTo}; a purchase refunded in part before processing has
 * {@code refunded} above zero.
 */
record ClaimedEvent(long id, String externalId, String customerId, String merchantId, BigDecimal amount,
                    String currency, Instant occurredAt, String transactionData, BigDecimal refunded,
                    String refersTo) {

    boolean isRefund() {
        return refersTo != null;
    }

    /** The document rules are evaluated against, as {@code event explain} shows it. */
    JsonNode document() {
        return EventDocument.of(id, externalId, customerId, merchantId, amount, currency, occurredAt,
                Json.tree(transactionData));
    }
}
