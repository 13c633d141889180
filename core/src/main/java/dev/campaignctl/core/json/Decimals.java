package dev.campaignctl.core.json;

import java.math.BigDecimal;

/** Decimal presentation: no padding zeros (100.0000 is 100, 150.5000 is 150.5), never exponent form. */
public final class Decimals {

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
}
