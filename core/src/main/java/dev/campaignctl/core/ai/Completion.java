package dev.campaignctl.core.ai;

/** What a provider answered: text, the model that wrote it, and the token counts from its usage fields. */
public record Completion(String text, String model, int inputTokens, int outputTokens) {
}
