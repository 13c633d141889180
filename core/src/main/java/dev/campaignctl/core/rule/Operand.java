package dev.campaignctl.core.rule;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * A literal from a rule, prepared once for fast comparison against event values: numbers as
 * decimals (150 equals 150.00), ISO-8601 timestamps as instants, everything else as JSON.
 */
final class Operand {

    final JsonNode node;
    private final BigDecimal decimal;
    private final boolean integral;
    private final long longValue;
    private final Instant instant;

    Operand(JsonNode node) {
        this.node = node;
        this.decimal = node.isNumber() ? node.decimalValue() : null;
        this.integral = node.isIntegralNumber() && node.canConvertToLong();
        this.longValue = integral ? node.longValue() : 0;
        this.instant = node.isTextual() ? timestamp(node.textValue()) : null;
    }

    boolean equalTo(JsonNode value) {
        if (decimal != null) {
            if (!value.isNumber()) {
                return false;
            }
            if (integral && value.isIntegralNumber() && value.canConvertToLong()) {
                return value.longValue() == longValue;
            }
            return value.decimalValue().compareTo(decimal) == 0;
        }
        if (instant != null && value.isTextual()) {
            Instant other = timestamp(value.textValue());
            if (other != null) {
                return other.equals(instant);
            }
        }
        return Values.equal(value, node);
    }

    /** The order of {@code value} relative to this operand, or null when they are not comparable. */
    Integer compare(JsonNode value) {
        if (decimal != null) {
            if (!value.isNumber()) {
                return null;
            }
            if (integral && value.isIntegralNumber() && value.canConvertToLong()) {
                return Long.compare(value.longValue(), longValue);
            }
            return value.decimalValue().compareTo(decimal);
        }
        if (!value.isTextual() || !node.isTextual()) {
            return null;
        }
        if (instant != null) {
            Instant other = timestamp(value.textValue());
            if (other != null) {
                return other.compareTo(instant);
            }
        }
        return value.textValue().compareTo(node.textValue());
    }

    /** Parses an ISO-8601 timestamp with offset; null for any other text (cheaply, without exceptions for most). */
    static Instant timestamp(String text) {
        if (text.length() < 20 || text.length() > 40 || text.charAt(4) != '-' || text.charAt(10) != 'T') {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
