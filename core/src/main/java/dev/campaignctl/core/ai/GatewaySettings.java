package dev.campaignctl.core.ai;

import dev.campaignctl.core.error.ApiException;
import java.util.Map;

/**
 * The OpenAI-compatible API's settings: {@code AI_MODEL_ALIASES} (name=model pairs),
 * {@code AI_PRICES} (a JSON file or inline JSON, see {@link Prices}) and {@code AI_MAX_TOKENS_CAP}
 * (the completion limit reserved, and sent, for a request without {@code max_tokens}; 4096).
 */
public record GatewaySettings(Map<String, String> aliases, Prices prices, int maxTokensCap) {

    public static final int DEFAULT_MAX_TOKENS_CAP = 4096;
    public static final GatewaySettings DEFAULTS = new GatewaySettings(Map.of(), Prices.NONE, DEFAULT_MAX_TOKENS_CAP);

    public static GatewaySettings fromEnv(Map<String, String> env) {
        String cap = env.get("AI_MAX_TOKENS_CAP");
        int maxTokensCap = DEFAULT_MAX_TOKENS_CAP;
        if (cap != null && !cap.isBlank()) {
            try {
                maxTokensCap = Integer.parseInt(cap.trim());
            } catch (NumberFormatException e) {
                maxTokensCap = -1;
            }
            if (maxTokensCap < 1 || maxTokensCap > GenerateRequest.MAX_TOKENS) {
                throw ApiException.invalid("AI_MAX_TOKENS_CAP", "must be 1 to " + GenerateRequest.MAX_TOKENS + ", got \"" + cap + "\"");
            }
        }
        return new GatewaySettings(ModelRouter.parseAliases(env.get("AI_MODEL_ALIASES")), Prices.parse(env.get("AI_PRICES")),
                maxTokensCap);
    }
}
