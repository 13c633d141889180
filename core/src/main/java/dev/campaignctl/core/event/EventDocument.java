package dev.campaignctl.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.json.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/** The document rules are evaluated against: an event's top-level fields plus its transaction_data. */
public final class EventDocument {

    private EventDocument() {
    }

    public static ObjectNode of(Long id, String externalId, String customerId, String merchantId, BigDecimal amount,
                                String currency, Instant occurredAt, JsonNode transactionData) {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        if (id != null) {
            doc.put("id", id);
        }
        doc.put("external_id", externalId);
        doc.put("customer_id", customerId);
        doc.put("merchant_id", merchantId);
        doc.put("amount", amount);
        doc.put("currency", currency);
        doc.put("occurred_at", DateTimeFormatter.ISO_INSTANT.format(occurredAt));
        doc.set("transaction_data", transactionData == null ? Json.MAPPER.createObjectNode() : transactionData);
        return doc;
    }

    public static ObjectNode of(Event e) {
        return of(e.id(), e.externalId(), e.customerId(), e.merchantId(), e.amount(), e.currency(), e.occurredAt(),
                e.transactionData());
    }

    public static ObjectNode of(NewEvent e, Instant now) {
        return of(null, e.externalId(), e.customerId(), e.merchantId(), e.amount(), e.currency(),
                e.occurredAt() == null ? now : e.occurredAt(), e.transactionData());
    }
}
