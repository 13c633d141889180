package dev.campaignctl.core.json;

import dev.campaignctl.core.error.ApiException;
import java.math.BigDecimal;

/** Decimal presentation: no padding zeros (100.0000 is 100, 150.5000 is 150.5), never exponent form. */
public final class Decimals {

    /** Most digits before the decimal point any decimal input may have; every field's own limit is smaller. */
    public static final int MAX_INTEGER_DIGITS = 24;
    /** Most digits after the decimal point any decimal input may have. */
    public static final int MAX_DECIMALS = 24;
    private static final int QUOTE = 40;

    private Decimals() {
    }

    public static BigDecimal plain(BigDecimal value) {
        if (value == null) {
            return null;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    public static String text(BigDecimal value) {
        return plain(value).toPlainString();
    }

    /**
     * Refuses a decimal too long to do arithmetic with or to print: {@code -1e999999999} is one
     * digit and an exponent, but its plain form is a billion characters. Checked on precision and
     * scale alone, before anything formats or multiplies it; the message quotes a short prefix.
     */
    public static BigDecimal bounded(String field, BigDecimal value) {
        if (value != null && (value.scale() > MAX_DECIMALS || (long) value.precision() - value.scale() > MAX_INTEGER_DIGITS)) {
            throw ApiException.invalid(field, "must have at most " + MAX_INTEGER_DIGITS + " digits before and "
                    + MAX_DECIMALS + " after the decimal point, got " + quote(value));
        }
        return value;
    }

    /** A short form of any decimal for messages: its scientific text, cut to a prefix. */
    public static String quote(BigDecimal value) {
        return prefix(value.toString());
    }

    /** At most 40 characters of {@code text}, with an ellipsis when cut. */
    public static String prefix(String text) {
        return text.length() <= QUOTE ? text : text.substring(0, QUOTE) + "...";
    }
}
