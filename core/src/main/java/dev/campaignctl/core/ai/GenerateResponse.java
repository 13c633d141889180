package dev.campaignctl.core.ai;

/** The reference's {@code /generate} answer; {@code provider} is the display name ("OpenAI", "Anthropic"). */
public record GenerateResponse(String text, String model, String provider, int tokenCount, int inputTokens,
                               int outputTokens, boolean cached) {

    public GenerateResponse asCached() {
        return new GenerateResponse(text, model, provider, tokenCount, inputTokens, outputTokens, true);
    }
}
