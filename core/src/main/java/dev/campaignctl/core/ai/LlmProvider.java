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

    /** An OpenAI Chat Completions request answered by {@code model}, in OpenAI's shape. */
    default ChatAnswer chat(ChatRequest request, String model) {
        throw new UnsupportedOperationException(displayName() + " does not speak chat completions");
    }

    /** The same, streamed; a failure before the first event is thrown here, as for {@link #chat}. */
    default ChatStream streamChat(ChatRequest request, String model) {
        throw new UnsupportedOperationException(displayName() + " does not stream chat completions");
    }
}
