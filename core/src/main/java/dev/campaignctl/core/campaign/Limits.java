package dev.campaignctl.core.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Decimals;
import dev.campaignctl.core.json.Fields;
import java.math.BigDecimal;

/** Checks for the money-like campaign fields: budgets and caps are non-negative with at most 4 decimals. */
final class Limits {

    private static final BigDecimal MAX = new BigDecimal("1000000000000");

    private Limits() {
    }

    static BigDecimal check(String field, BigDecimal value) {
        if (value == null) {
            return null;
        }
        Decimals.bounded(field, value);
        if (value.signum() < 0) {
            throw ApiException.invalid(field, "must not be negative, got " + value.toPlainString());
        }
        if (value.compareTo(MAX) >= 0 || value.stripTrailingZeros().scale() > 4) {
            throw ApiException.invalid(field, "must be below 1000000000000 with at most 4 decimals");
        }
        return value;
    }

    static BigDecimal read(JsonNode body, String field) {
        return check(field, Fields.decimal(body, field, false));
    }

    static EvaluationMode mode(JsonNode body) {
        String text = Fields.text(body, "evaluation", false, 10);
        return text == null ? null : EvaluationMode.parse("evaluation", text);
    }
}
