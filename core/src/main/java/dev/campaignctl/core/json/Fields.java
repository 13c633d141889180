package dev.campaignctl.core.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.error.ApiException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Reads typed fields out of a request body, failing with a message that names the field and says
 * what was expected, e.g. {@code amount: must be a number, got "abc"}.
 */
public final class Fields {

    private Fields() {
    }

    public static ObjectNode object(JsonNode body, String what) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid(null, what + " must be a JSON object");
        }
        return (ObjectNode) body;
    }

    /**
     * Refuses a field not in {@code known}, naming it: for bodies whose fields are all optional, a
     * misspelt one ({@code amont}) would otherwise be read as "use the default" — a full refund.
     */
    public static void only(JsonNode body, String... known) {
        Set<String> allowed = Set.of(known);
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw ApiException.invalid(Decimals.prefix(name), "is not a field of this request; it takes "
                        + String.join(", ", known));
            }
        }
    }

    private static JsonNode present(JsonNode body, String field) {
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? null : node;
    }

    public static String text(JsonNode body, String field, boolean required, int maxLength) {
        JsonNode node = present(body, field);
        if (node == null) {
            if (required) {
                throw ApiException.invalid(field, "is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw ApiException.invalid(field, "must be a string, got " + describe(node));
        }
        String value = node.textValue();
        if (required && value.isBlank()) {
            throw ApiException.invalid(field, "must not be blank");
        }
        if (value.length() > maxLength) {
            throw ApiException.invalid(field, "must be at most " + maxLength + " characters");
        }
        storable(field, value);
        return value;
    }

    private static final String UNSTORABLE = "must not contain the NUL character (\\u0000) or an unpaired surrogate:"
            + " PostgreSQL could not read such JSON back";

    /**
     * Refuses JSON text that PostgreSQL's json type would store but could not read back through
     * its operators or as jsonb: a {@code \\u0000} escape or an escaped unpaired surrogate. Only
     * escapes can carry either (decoded UTF-8 holds no lone surrogate), so text without a backslash
     * is passed at once.
     */
    public static void storableJson(String field, String json) {
        if (json.indexOf('\\') < 0) {
            return;
        }
        int pendingHigh = -1;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c != '\\') {
                if (pendingHigh >= 0) {
                    throw ApiException.invalid(field, UNSTORABLE);
                }
                continue;
            }
            char next = i + 1 < json.length() ? json.charAt(i + 1) : 0;
            if (next != 'u' || i + 5 >= json.length()) {
                if (pendingHigh >= 0) {
                    throw ApiException.invalid(field, UNSTORABLE);
                }
                i++;
                continue;
            }
            int unit = Integer.parseInt(json, i + 2, i + 6, 16);
            i += 5;
            if (unit == 0 || Character.isLowSurrogate((char) unit) != (pendingHigh >= 0)) {
                throw ApiException.invalid(field, UNSTORABLE);
            }
            pendingHigh = Character.isHighSurrogate((char) unit) ? unit : -1;
        }
        if (pendingHigh >= 0) {
            throw ApiException.invalid(field, UNSTORABLE);
        }
    }

    /** Most digits a number inside free-form JSON (transaction data, rule conditions) may have on either side of the point. */
    public static final int MAX_JSON_NUMBER_DIGITS = 100;

    /**
     * Refuses a number in free-form JSON that could not be written back as plain decimal text
     * (Jackson refuses scales beyond 9999, so {@code 1e10000} would be stored and never read
     * again) or would make every comparison with it slow.
     */
    public static void storableNumber(String field, BigDecimal value) {
        if (value.scale() > MAX_JSON_NUMBER_DIGITS || (long) value.precision() - value.scale() > MAX_JSON_NUMBER_DIGITS) {
            throw ApiException.invalid(field, "numbers must have at most " + MAX_JSON_NUMBER_DIGITS
                    + " digits before and after the decimal point, got " + Decimals.quote(value));
        }
    }

    /** As {@link #storableJson}, for a tree: every field name, string and number in it. */
    public static void storableTree(String field, JsonNode node) {
        if (node.isTextual()) {
            storableText(field, node.textValue());
        } else if (node.isNumber()) {
            if (node.isFloatingPointNumber() || node.isBigInteger()) {
                storableNumber(field, node.decimalValue());
            }
        } else if (node.isObject()) {
            for (var entry : node.properties()) {
                storableText(field, entry.getKey());
                storableTree(field, entry.getValue());
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                storableTree(field, element);
            }
        }
    }

    private static void storableText(String field, String text) {
        try {
            storable(field, text);
        } catch (ApiException e) {
            throw ApiException.invalid(field, UNSTORABLE);
        }
    }

    /**
     * PostgreSQL text holds no NUL character, and an unpaired surrogate (legal in a JSON escape)
     * would be stored as "?": both are refused here, naming the field, rather than failing a
     * whole batch in the database or changing the value silently.
     */
    private static void storable(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw ApiException.invalid(field, "must not contain the NUL character (\\u0000)");
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1));
                if (!paired) {
                    throw ApiException.invalid(field, "must be valid Unicode (it has an unpaired surrogate)");
                }
                i++;
            }
        }
    }

    public static BigDecimal decimal(JsonNode body, String field, boolean required) {
        JsonNode node = present(body, field);
        if (node == null) {
            if (required) {
                throw ApiException.invalid(field, "is required");
            }
            return null;
        }
        if (node.isNumber()) {
            return Decimals.bounded(field, node.decimalValue());
        }
        if (node.isTextual()) {
            String text = node.textValue().trim();
            try {
                // A long digit string costs quadratic time to parse; no accepted value needs 60 characters.
                if (text.length() > 60) {
                    throw new NumberFormatException();
                }
                return Decimals.bounded(field, new BigDecimal(text));
            } catch (NumberFormatException e) {
                throw ApiException.invalid(field, "must be a number, got " + describe(node));
            }
        }
        throw ApiException.invalid(field, "must be a number, got " + describe(node));
    }

    public static Integer integer(JsonNode body, String field) {
        JsonNode node = present(body, field);
        if (node == null) {
            return null;
        }
        if (node.isIntegralNumber() && !node.canConvertToInt()) {
            throw ApiException.invalid(field, "is out of range (" + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE
                    + "), got " + describe(node));
        }
        if (!node.isIntegralNumber()) {
            throw ApiException.invalid(field, "must be an integer, got " + describe(node));
        }
        return node.intValue();
    }

    public static Instant instant(JsonNode body, String field) {
        JsonNode node = present(body, field);
        if (node == null) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiException.invalid(field, "must be an ISO-8601 timestamp, got " + describe(node));
        }
        return parseInstant(field, node.textValue());
    }

    public static Instant parseInstant(String field, String text) {
        Instant instant;
        try {
            instant = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(field,
                    "must be an ISO-8601 timestamp with offset (2024-03-01T12:00:00Z), got \"" + Decimals.prefix(text) + "\"");
        }
        return storableInstant(field, instant);
    }

    /** The first and last instants a timestamp may name: four-digit years, well inside PostgreSQL's range. */
    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    /**
     * Refuses an instant PostgreSQL could not store (year 294277 and beyond, 4714 BC and before)
     * or that no campaign or event means: ISO-8601 parsers take years of up to nine digits.
     */
    public static Instant storableInstant(String field, Instant instant) {
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw ApiException.invalid(field, "must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, got "
                    + Decimals.prefix(instant.toString()));
        }
        return instant;
    }

    public static ObjectNode optionalObject(JsonNode body, String field) {
        JsonNode node = present(body, field);
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            throw ApiException.invalid(field, "must be a JSON object, got " + describe(node));
        }
        return (ObjectNode) node;
    }

    /** Names the JSON type of a wrong value and, for short scalars, the value itself. */
    public static String describe(JsonNode node) {
        if (node.isTextual()) {
            String text = node.textValue();
            return text.length() <= 40 ? "\"" + text + "\"" : "a string";
        }
        if (node.isNumber()) {
            return node.isBigDecimal() ? Decimals.quote(node.decimalValue()) : Decimals.prefix(node.asText());
        }
        if (node.isBoolean()) {
            return node.asText();
        }
        if (node.isArray()) {
            return "an array";
        }
        if (node.isObject()) {
            return "an object";
        }
        return node.getNodeType().name().toLowerCase();
    }
}
