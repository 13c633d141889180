package dev.campaignctl.core.ai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Fields;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * A generation request, as the reference's {@code POST /generate} body:
 * {@code {"prompt", "provider", "model", "max_tokens", "temperature", "use_cache"}}. Provider and
 * model may be left out: the first configured provider and its default model are used.
 */
public record GenerateRequest(String prompt, String provider, String model, Integer maxTokens, Double temperature,
                              Boolean useCache) {

    public static final int MAX_PROMPT = 200_000;
    public static final int MAX_TOKENS = 64_000;
    public static final int DEFAULT_MAX_TOKENS = 1000;
    public static final double DEFAULT_TEMPERATURE = 0.7;

    public GenerateRequest {
        if (prompt == null || prompt.isBlank()) {
            throw ApiException.invalid("prompt", "must not be empty");
        }
        if (prompt.length() > MAX_PROMPT) {
            throw ApiException.invalid("prompt", "must be at most " + MAX_PROMPT + " characters, got " + prompt.length());
        }
        if (provider != null && provider.isBlank()) {
            throw ApiException.invalid("provider", "must not be blank");
        }
        if (model != null && (model.isBlank() || model.length() > 200)) {
            throw ApiException.invalid("model", "must be 1 to 200 characters");
        }
        if (maxTokens != null && (maxTokens < 1 || maxTokens > MAX_TOKENS)) {
            throw ApiException.invalid("max_tokens", "must be 1 to " + MAX_TOKENS + ", got " + maxTokens);
        }
        if (temperature != null && (temperature.isNaN() || temperature < 0 || temperature > 2)) {
            throw ApiException.invalid("temperature", "must be between 0 and 2, got " + temperature);
        }
        provider = provider == null ? null : provider.toLowerCase(Locale.ROOT);
    }

    public static GenerateRequest of(String prompt) {
        return new GenerateRequest(prompt, null, null, null, null, null);
    }

    public static GenerateRequest fromJson(JsonNode body) {
        Fields.object(body, "generate request");
        BigDecimal temperature = Fields.decimal(body, "temperature", false);
        JsonNode useCache = body.get("use_cache");
        if (useCache != null && !useCache.isNull() && !useCache.isBoolean()) {
            throw ApiException.invalid("use_cache", "must be true or false");
        }
        return new GenerateRequest(
                Fields.text(body, "prompt", true, MAX_PROMPT),
                Fields.text(body, "provider", false, 50),
                Fields.text(body, "model", false, 200),
                Fields.integer(body, "max_tokens"),
                temperature == null ? null : temperature.doubleValue(),
                useCache == null || useCache.isNull() ? null : useCache.booleanValue());
    }

    public int maxTokensOrDefault() {
        return maxTokens == null ? DEFAULT_MAX_TOKENS : maxTokens;
    }

    public double temperatureOrDefault() {
        return temperature == null ? DEFAULT_TEMPERATURE : temperature;
    }

    public boolean cacheable() {
        return useCache == null || useCache;
    }
}
