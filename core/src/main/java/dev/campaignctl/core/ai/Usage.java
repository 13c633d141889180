package dev.campaignctl.core.ai;

/** Tokens a provider counted for one call. */
public record Usage(long promptTokens, long completionTokens) {

    public long total() {
        return promptTokens + completionTokens;
    }
}
