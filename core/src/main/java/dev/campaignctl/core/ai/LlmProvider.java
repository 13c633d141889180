package dev.campaignctl.core.ai;

/** One LLM API (OpenAI Chat Completions, Anthropic Messages, or anything speaking them). */
public interface LlmProvider {

    /** Lower-case id used in requests: {@code openai}, {@code anthropic}. */
    String id();

    /** The name in responses, as the reference: {@code OpenAI}, {@code Anthropic}. */
    String displayName();

    boolean configured();

    String defaultModel();

    /** The environment variable that configures this provider's key, for error messages. */
    String keyVariable();

    Completion complete(String prompt, String model, int maxTokens, double temperature);
}
