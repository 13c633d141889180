package dev.campaignctl.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.json.Fields;
import dev.campaignctl.core.json.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/** An event to register. Only {@code amount} is required, as in the reference. */
public record NewEvent(
        String externalId,
        String customerId,
        String merchantId,
        BigDecimal amount,
        String currency,
        Instant occurredAt,
        ObjectNode transactionData) {

    private static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000000000");
    private static final int MAX_ID = 200;

    public NewEvent {
        if (amount == null) {
            throw ApiException.invalid("amount", "is required");
        }
        if (amount.signum() < 0) {
            throw ApiException.invalid("amount", "must not be negative, got " + amount.toPlainString());
        }
        if (amount.compareTo(MAX_AMOUNT) >= 0) {
            throw ApiException.invalid("amount", "must be less than 1000000000000");
        }
        if (amount.stripTrailingZeros().scale() > 4) {
            throw ApiException.invalid("amount", "must have at most 4 decimals, got " + amount.toPlainString());
        }
        checkLength("external_id", externalId);
        checkLength("customer_id", customerId);
        checkLength("merchant_id", merchantId);
        if (currency != null && !isCurrencyCode(currency)) {
            throw ApiException.invalid("currency", "must be a three-letter ISO 4217 code, got \"" + currency + "\"");
        }
        currency = currency == null ? null : currency.toUpperCase(java.util.Locale.ROOT);
        transactionData = transactionData == null ? Json.MAPPER.createObjectNode() : transactionData;
    }

    /** Three ASCII letters; checked by hand because a regex would be compiled per event on the ingest path. */
    private static boolean isCurrencyCode(String text) {
        if (text.length() != 3) {
            return false;
        }
        for (int i = 0; i < 3; i++) {
            char c = text.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
                return false;
            }
        }
        return true;
    }

    private static void checkLength(String field, String value) {
        if (value != null && (value.isBlank() || value.length() > MAX_ID)) {
            throw ApiException.invalid(field, "must be 1 to " + MAX_ID + " characters");
        }
    }

    public static NewEvent fromJson(JsonNode body) {
        Fields.object(body, "event");
        return new NewEvent(
                Fields.text(body, "external_id", false, MAX_ID),
                Fields.text(body, "customer_id", false, MAX_ID),
                Fields.text(body, "merchant_id", false, MAX_ID),
                Fields.decimal(body, "amount", true),
                Fields.text(body, "currency", false, 3),
                Fields.instant(body, "occurred_at"),
                Fields.optionalObject(body, "transaction_data"));
    }

    /** True when another new event carries the same payload (a repeat within one batch). */
    public boolean samePayloadAs(NewEvent other) {
        return Objects.equals(customerId, other.customerId) && Objects.equals(merchantId, other.merchantId)
                && amount.compareTo(other.amount) == 0 && Objects.equals(currency, other.currency)
                && Objects.equals(occurredAt, other.occurredAt)
                && dev.campaignctl.core.rule.Values.equal(transactionData, other.transactionData);
    }

    /** True when a stored event carries the same payload, so a repeated external_id is a harmless retry. */
    public boolean samePayloadAs(Event stored) {
        return Objects.equals(customerId, stored.customerId())
                && Objects.equals(merchantId, stored.merchantId())
                && amount.compareTo(stored.amount()) == 0
                && Objects.equals(currency, stored.currency())
                && (occurredAt == null || occurredAt.equals(stored.occurredAt()))
                && dev.campaignctl.core.rule.Values.equal(transactionData, stored.transactionData());
    }
}
