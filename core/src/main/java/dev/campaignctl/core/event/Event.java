package dev.campaignctl.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.earning.Earning;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** A transaction event and, once processed, its outcome and earnings. */
public record Event(
        long id,
        String externalId,
        String customerId,
        String merchantId,
        BigDecimal amount,
        String currency,
        Instant occurredAt,
        JsonNode transactionData,
        EventStatus status,
        Long matchedRuleId,
        String failureReason,
        String note,
        Instant createdAt,
        Instant processedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Earning> earnings,
        String type,
        @JsonInclude(JsonInclude.Include.NON_NULL) String refersTo,
        BigDecimal refunded) {

    public Event withEarnings(List<Earning> list) {
        return new Event(id, externalId, customerId, merchantId, amount, currency, occurredAt, transactionData,
                status, matchedRuleId, failureReason, note, createdAt, processedAt, List.copyOf(list), type, refersTo,
                refunded);
    }
}
