package dev.campaignctl.core.ai.keys;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Fields;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code ai keys create} asks for: {@code {"name", "budget_tokens"?, "budget_usd"?, "rpm"?,
 * "models"?: [...], "expires"?: "P30D"}}; {@code expires} is an ISO-8601 period or duration from now.
 */
public record KeySpec(String name, Long budgetTokens, BigDecimal budgetUsd, Integer rpm, List<String> models, Duration expires) {

    public static final long MAX_TOKENS = 1_000_000_000_000L;

    public KeySpec {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw ApiException.invalid("name", "must be 1 to 200 characters");
        }
        if (budgetTokens != null && (budgetTokens < 0 || budgetTokens > MAX_TOKENS)) {
            throw ApiException.invalid("budget_tokens", "must be 0 to " + MAX_TOKENS + ", got " + budgetTokens);
        }
        if (budgetUsd != null && (budgetUsd.signum() < 0 || budgetUsd.compareTo(BigDecimal.valueOf(1_000_000_000L)) > 0
                || budgetUsd.scale() > 12)) {
            throw ApiException.invalid("budget_usd", "must be 0 to 1000000000 with at most 12 decimals");
        }
        if (rpm != null && (rpm < 1 || rpm > 1_000_000)) {
            throw ApiException.invalid("rpm", "must be 1 to 1000000, got " + rpm);
        }
        if (models != null) {
            if (models.isEmpty()) {
                // An empty list would read as "no restriction": a key meant to be limited must never get every model.
                throw ApiException.invalid("models", "must name at least one model (leave models out for every model)");
            }
            if (models.size() > 100 || models.stream().anyMatch(m -> m == null || m.isBlank() || m.length() > 200)) {
                throw ApiException.invalid("models", "must be at most 100 model names of 1 to 200 characters");
            }
            models = List.copyOf(models);
        }
        if (expires != null && (expires.isNegative() || expires.isZero() || expires.toDays() > 36_600)) {
            throw ApiException.invalid("expires", "must be a positive period of at most 100 years");
        }
    }

    public static KeySpec fromJson(JsonNode body) {
        Fields.object(body, "key");
        Fields.only(body, "name", "budget_tokens", "budget_usd", "rpm", "models", "expires");
        JsonNode tokens = body.get("budget_tokens");
        if (tokens != null && !tokens.isNull() && !(tokens.isIntegralNumber() && tokens.canConvertToLong())) {
            throw ApiException.invalid("budget_tokens", "must be a whole number");
        }
        List<String> models = null;
        JsonNode list = body.get("models");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw ApiException.invalid("models", "must be an array of model names");
            }
            models = new ArrayList<>();
            for (JsonNode model : list) {
                if (!model.isTextual()) {
                    throw ApiException.invalid("models", "must be an array of model names");
                }
                models.add(model.textValue());
            }
        }
        String expires = Fields.text(body, "expires", false, 40);
        return new KeySpec(Fields.text(body, "name", true, 200),
                tokens == null || tokens.isNull() ? null : tokens.longValue(),
                Fields.decimal(body, "budget_usd", false), Fields.integer(body, "rpm"), models,
                expires == null ? null : period(expires));
    }

    /** {@code P30D}, {@code P1Y}, or a duration such as {@code PT12H}. */
    public static Duration period(String text) {
        try {
            if (text.contains("T")) {
                return Duration.parse(text);
            }
            // Calendar months and years from today (P1Y is a year, not 360 days).
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            return Duration.between(now, now.plus(Period.parse(text)));
        } catch (DateTimeException | ArithmeticException e) {
            throw ApiException.invalid("expires", "must be an ISO-8601 period such as P30D or PT12H, got \""
                    + (text.length() > 40 ? text.substring(0, 40) : text) + "\"");
        }
    }
}
