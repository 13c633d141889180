package dev.campaignctl.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Decimals;
import dev.campaignctl.core.json.Fields;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.Reward;
import dev.campaignctl.core.rule.Values;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * An event to register. Only {@code amount} is required, as in the reference.
 *
 * <p>Transaction data is held as a tree, or, for events read from a batch, as the request's own
 * JSON text, parsed into a tree only if something asks for it: the store writes the text to a
 * {@code json} column as it is, and a batch of thousands of events then costs no tree building and
 * no serialising back. A class rather than a record for that one lazy field; it keeps the record's
 * accessors, equality and JSON form.
 */
public final class NewEvent {

    private static final BigDecimal MAX_AMOUNT = Reward.MAX_AMOUNT;
    private static final int MAX_ID = 200;

    private final String externalId;
    private final String customerId;
    private final String merchantId;
    private final BigDecimal amount;
    private final String currency;
    private final Instant occurredAt;
    /** The request's JSON text of the transaction data, when the event came from a batch; else null. */
    private final String transactionDataJson;
    private volatile ObjectNode transactionData;
    /** A refund (of the purchase whose external_id is {@code refersTo}) rather than a purchase; null: a purchase. */
    private final String refersTo;

    public NewEvent(String externalId, String customerId, String merchantId, BigDecimal amount, String currency,
                    Instant occurredAt, ObjectNode transactionData) {
        this(externalId, customerId, merchantId, amount, currency, occurredAt,
                transactionData == null ? Json.MAPPER.createObjectNode() : transactionData, null, null);
    }

    /** A refund of {@code amount} of the purchase registered with external_id {@code refersTo}. */
    public static NewEvent refund(String externalId, String refersTo, BigDecimal amount) {
        if (refersTo == null) {
            throw ApiException.invalid("refers_to", "is required for a refund: the purchase's external_id");
        }
        return new NewEvent(externalId, null, null, amount, null, null, Json.MAPPER.createObjectNode(), null, refersTo);
    }

    private NewEvent(String externalId, String customerId, String merchantId, BigDecimal amount, String currency,
                     Instant occurredAt, ObjectNode transactionData, String transactionDataJson, String refersTo) {
        if (amount == null) {
            throw ApiException.invalid("amount", "is required");
        }
        Decimals.bounded("amount", amount);
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
        checkLength("refers_to", refersTo);
        if (refersTo != null && amount.signum() <= 0) {
            throw ApiException.invalid("amount", "a refund's amount must be positive");
        }
        this.refersTo = refersTo;
        if (currency != null && !isCurrencyCode(currency)) {
            throw ApiException.invalid("currency", "must be a three-letter ISO 4217 code, got \"" + currency + "\"");
        }
        this.externalId = externalId;
        this.customerId = customerId;
        this.merchantId = merchantId;
        this.amount = amount;
        this.currency = currency == null ? null : currency.toUpperCase(Locale.ROOT);
        this.occurredAt = occurredAt;
        if (transactionDataJson != null) {
            Fields.storableJson("transaction_data", transactionDataJson);
        } else {
            Fields.storableTree("transaction_data", transactionData);
        }
        this.transactionData = transactionData;
        this.transactionDataJson = transactionDataJson;
    }

    @JsonProperty
    public String externalId() {
        return externalId;
    }

    @JsonProperty
    public String customerId() {
        return customerId;
    }

    @JsonProperty
    public String merchantId() {
        return merchantId;
    }

    @JsonProperty
    public BigDecimal amount() {
        return amount;
    }

    @JsonProperty
    public String currency() {
        return currency;
    }

    @JsonProperty
    public Instant occurredAt() {
        return occurredAt;
    }

    /** The transaction data as a tree (parsed on first use when the event came from a batch). */
    public ObjectNode transactionData() {
        ObjectNode tree = transactionData;
        if (tree == null) {
            // Validated as a JSON object when the batch was read, so this cannot fail.
            tree = (ObjectNode) Json.tree(transactionDataJson);
            transactionData = tree;
        }
        return tree;
    }

    /**
     * The transaction data as JSON text, for the store and for sending on: the request's own text
     * when there is one (checked to be a JSON object when it was read), written out as it is.
     */
    @JsonProperty("transaction_data")
    @JsonRawValue
    public String transactionDataJson() {
        return transactionDataJson != null ? transactionDataJson : Json.write(transactionData);
    }

    /** This event with another idempotency key. */
    public NewEvent withExternalId(String key) {
        return new NewEvent(key, customerId, merchantId, amount, currency, occurredAt, transactionData, transactionDataJson,
                refersTo);
    }

    /**
     * An event from a request's top-level fields and the JSON text of its {@code transaction_data}
     * object (null when absent), as {@link EventBatch} reads them without building a tree of the data.
     */
    static NewEvent fromJson(JsonNode fields, String transactionDataJson) {
        return transactionDataJson == null ? fromJson(fields) : fromFields(fields, transactionDataJson);
    }

    /** The fields in the order their errors are reported; the tree of the data only without its text. */
    private static NewEvent fromFields(JsonNode body, String transactionDataJson) {
        String externalId = Fields.text(body, "external_id", false, MAX_ID);
        String customerId = Fields.text(body, "customer_id", false, MAX_ID);
        String merchantId = Fields.text(body, "merchant_id", false, MAX_ID);
        BigDecimal amount = Fields.decimal(body, "amount", true);
        String currency = Fields.text(body, "currency", false, 3);
        Instant occurredAt = Fields.instant(body, "occurred_at");
        ObjectNode tree = transactionDataJson != null ? null : Fields.optionalObject(body, "transaction_data");
        String type = Fields.text(body, "type", false, 20);
        String refersTo = Fields.text(body, "refers_to", false, MAX_ID);
        if (type != null && !type.equals("purchase") && !type.equals("refund")) {
            throw ApiException.invalid("type", "must be purchase or refund, got \"" + Decimals.prefix(type) + "\"");
        }
        boolean refund = "refund".equals(type);
        if (refund && refersTo == null) {
            throw ApiException.invalid("refers_to", "is required for a refund: the purchase's external_id");
        }
        if (!refund && refersTo != null) {
            throw ApiException.invalid("refers_to", "is only for \"type\": \"refund\"");
        }
        return new NewEvent(externalId, customerId, merchantId, amount, currency, occurredAt,
                transactionDataJson == null && tree == null ? Json.MAPPER.createObjectNode() : tree, transactionDataJson,
                refersTo);
    }

    /** {@code refund} or {@code purchase}. */
    @JsonProperty
    public String type() {
        return refersTo == null ? "purchase" : "refund";
    }

    /** For a refund, the external_id of the purchase it refunds; else null. */
    @JsonProperty
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String refersTo() {
        return refersTo;
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
        return fromFields(body, null);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NewEvent e && Objects.equals(externalId, e.externalId) && Objects.equals(refersTo, e.refersTo)
                && Objects.equals(customerId, e.customerId) && Objects.equals(merchantId, e.merchantId)
                && amount.equals(e.amount) && Objects.equals(currency, e.currency)
                && Objects.equals(occurredAt, e.occurredAt) && transactionData().equals(e.transactionData());
    }

    @Override
    public int hashCode() {
        return Objects.hash(externalId, customerId, merchantId, amount, currency, occurredAt, transactionData());
    }

    @Override
    public String toString() {
        return "NewEvent[externalId=" + externalId + ", customerId=" + customerId + ", merchantId=" + merchantId
                + ", amount=" + amount + ", currency=" + currency + ", occurredAt=" + occurredAt
                + ", transactionData=" + transactionDataJson() + "]";
    }

    /** True when another new event carries the same payload (a repeat within one batch). */
    public boolean samePayloadAs(NewEvent other) {
        return Objects.equals(refersTo, other.refersTo) && Objects.equals(customerId, other.customerId) && Objects.equals(merchantId, other.merchantId)
                && amount.compareTo(other.amount) == 0 && Objects.equals(currency, other.currency)
                && Objects.equals(occurredAt, other.occurredAt)
                && Values.equal(transactionData(), other.transactionData());
    }

    /** True when a stored event carries the same payload, so a repeated external_id is a harmless retry. */
    public boolean samePayloadAs(Event stored) {
        return Objects.equals(refersTo, stored.refersTo()) && Objects.equals(customerId, stored.customerId())
                && Objects.equals(merchantId, stored.merchantId())
                && amount.compareTo(stored.amount()) == 0
                && Objects.equals(currency, stored.currency())
                && (occurredAt == null || occurredAt.equals(stored.occurredAt()))
                && Values.equal(transactionData(), stored.transactionData());
    }
}
