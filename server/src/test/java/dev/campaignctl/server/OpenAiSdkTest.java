package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI SDK for Java (openai-java), pointed at the gateway with a campaignctl key as
 * its API key: a plain completion, a streamed one whose chunks arrive while the provider is still
 * sending, and errors raised as the SDK's own exceptions.
 */
class OpenAiSdkTest {

    private static GatewayFixture fixture;
    private static OpenAIClient client;
    private static long keyId;

    @BeforeAll
    static void start() {
        fixture = new GatewayFixture();
        int port = fixture.startServer();
        JsonNode key = fixture.createKey(port, "{\"name\": \"sdk\", \"budget_tokens\": 5000}");
        keyId = key.get("id").asLong();
        client = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + port + "/v1")
                .apiKey(key.get("key").asText())
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
        fixture.close();
    }

    @Test
    void aPlainCompletion() {
        ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o").addUserMessage("Hello from the SDK").maxCompletionTokens(50).build());

        assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(
                text -> assertThat(text).startsWith("answer to: Hello from the SDK"));
        assertThat(completion.usage()).hasValueSatisfying(usage -> assertThat(usage.totalTokens()).isPositive());
        assertThat(fixture.openai.received().getLast().body().get("max_completion_tokens").asInt()).isEqualTo(50);
    }

    @Test
    void aStreamedCompletionArrivesChunkByChunkWithUsageLast() {
        fixture.anthropic.eventDelay(Duration.ofMillis(40));
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        int completedWhenFirstArrived;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
                .model("claude-3-5-sonnet-latest").addUserMessage("Stream to the SDK").maxCompletionTokens(60)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            var iterator = stream.stream().iterator();
            chunks.add(iterator.next());
            completedWhenFirstArrived = fixture.anthropic.streamsCompleted();
            iterator.forEachRemaining(chunks::add);
        } finally {
            fixture.anthropic.eventDelay(Duration.ZERO);
        }

        // The first chunk came through while the provider was still sending the rest.
        assertThat(completedWhenFirstArrived).isZero();
        StringBuilder text = new StringBuilder();
        chunks.forEach(chunk -> chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append)));
        assertThat(text.toString()).isEqualTo("answer to: Stream to the SDK (max_tokens=60, temperature=)");
        ChatCompletionChunk last = chunks.getLast();
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage()).hasValueSatisfying(usage -> {
            assertThat(usage.promptTokens()).isEqualTo(4);
            assertThat(usage.completionTokens()).isEqualTo(8);
        });
    }

    @Test
    void errorsAreTheSdksExceptions() {
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o").addUserMessage("too hot").temperature(5.0).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("temperature");
                });
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o").addUserMessage("too long").maxCompletionTokens(60_000).build()))
                .isInstanceOfSatisfying(RateLimitException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(429);
                    assertThat(e.getMessage()).contains("budget_tokens of key " + keyId);
                });
    }
}
