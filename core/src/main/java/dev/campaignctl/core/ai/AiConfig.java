package dev.campaignctl.core.ai;

import dev.campaignctl.core.error.ApiException;
import java.time.Duration;
import java.util.Map;

/**
 * The AI gateway's settings, from the reference's environment names plus a few of ours:
 * {@code OPENAI_API_KEY OPENAI_MODEL OPENAI_BASE_URL ANTHROPIC_API_KEY ANTHROPIC_MODEL
 * ANTHROPIC_BASE_URL REDIS_URL CACHE_TTL AI_DEFAULT_PROVIDER AI_FALLBACK_PROVIDER AI_TIMEOUT
 * AI_MAX_RETRIES}. {@link #toString()} never shows a key.
 */
public record AiConfig(
        String openAiKey, String openAiModel, String openAiBaseUrl,
        String anthropicKey, String anthropicModel, String anthropicBaseUrl,
        String redisUrl, Duration cacheTtl,
        String defaultProvider, String fallbackProvider,
        Duration timeout, int maxRetries, Duration retryBase, GatewaySettings gateway) {

    /** Without settings of the OpenAI-compatible API: no aliases, no prices, the default cap. */
    public AiConfig(String openAiKey, String openAiModel, String openAiBaseUrl, String anthropicKey, String anthropicModel,
                    String anthropicBaseUrl, String redisUrl, Duration cacheTtl, String defaultProvider, String fallbackProvider,
                    Duration timeout, int maxRetries, Duration retryBase) {
        this(openAiKey, openAiModel, openAiBaseUrl, anthropicKey, anthropicModel, anthropicBaseUrl, redisUrl, cacheTtl,
                defaultProvider, fallbackProvider, timeout, maxRetries, retryBase, GatewaySettings.DEFAULTS);
    }

    public static AiConfig fromEnv(Map<String, String> env) {
        return new AiConfig(
                value(env, "OPENAI_API_KEY"), value(env, "OPENAI_MODEL"), value(env, "OPENAI_BASE_URL"),
                value(env, "ANTHROPIC_API_KEY"), value(env, "ANTHROPIC_MODEL"), value(env, "ANTHROPIC_BASE_URL"),
                value(env, "REDIS_URL"), Duration.ofSeconds(number(env, "CACHE_TTL", 3600)),
                value(env, "AI_DEFAULT_PROVIDER"), value(env, "AI_FALLBACK_PROVIDER"),
                timeout(env), (int) number(env, "AI_MAX_RETRIES", 3),
                Duration.ofMillis(200), GatewaySettings.fromEnv(env));
    }

    private static String value(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static Duration timeout(Map<String, String> env) {
        long seconds = number(env, "AI_TIMEOUT", 60);
        if (seconds < 1 || seconds > 86_400) {
            throw ApiException.invalid("AI_TIMEOUT", "must be between 1 and 86400 seconds, got " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    private static long number(Map<String, String> env, String name, long fallback) {
        String value = value(env, name);
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed < 0) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw ApiException.invalid(name, "must be a non-negative whole number, got \"" + value + "\"");
        }
    }

    public AiConfig withRetryBase(Duration base) {
        return new AiConfig(openAiKey, openAiModel, openAiBaseUrl, anthropicKey, anthropicModel, anthropicBaseUrl,
                redisUrl, cacheTtl, defaultProvider, fallbackProvider, timeout, maxRetries, base, gateway);
    }

    public AiConfig withGateway(GatewaySettings settings) {
        return new AiConfig(openAiKey, openAiModel, openAiBaseUrl, anthropicKey, anthropicModel, anthropicBaseUrl,
                redisUrl, cacheTtl, defaultProvider, fallbackProvider, timeout, maxRetries, retryBase, settings);
    }

    @Override
    public String toString() {
        return "AiConfig[openai " + (openAiKey == null ? "unconfigured" : "configured") + ", anthropic "
                + (anthropicKey == null ? "unconfigured" : "configured") + ", cache "
                + (redisUrl == null ? "memory" : "redis") + ", ttl " + cacheTtl.toSeconds() + " s]";
    }
}
