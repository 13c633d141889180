package dev.campaignctl.core.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.testing.FakeLlmServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What our clients send and how they read the answers, against fakes of the documented APIs. */
class ProvidersWireTest {

    @Test
    void openAiRequestIsAChatCompletionWithBearerAuth() {
        try (FakeLlmServer fake = new FakeLlmServer(FakeLlmServer.Kind.OPENAI)) {
            OpenAiProvider provider = new OpenAiProvider(FakeLlmServer.KEY, "gpt-4", fake.baseUrl(), Duration.ofSeconds(5));

            Completion completion = provider.complete("Explain loyalty programs benefits", "gpt-4", 150, 0.2);

            FakeLlmServer.Received request = fake.received().get(0);
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.path()).isEqualTo("/v1/chat/completions");
            assertThat(request.header("Authorization")).isEqualTo("Bearer " + FakeLlmServer.KEY);
            assertThat(request.header("Content-Type")).isEqualTo("application/json");
            assertThat(request.body().get("model").asText()).isEqualTo("gpt-4");
            assertThat(request.body().at("/messages/0/role").asText()).isEqualTo("user");
            assertThat(request.body().at("/messages/0/content").asText()).isEqualTo("Explain loyalty programs benefits");
            assertThat(request.body().get("max_tokens").asInt()).isEqualTo(150);
            assertThat(request.body().get("temperature").asDouble()).isEqualTo(0.2);
            assertThat(completion.text()).startsWith("answer to: Explain loyalty programs benefits");
            assertThat(completion.model()).isEqualTo("gpt-4-0613");
            assertThat(completion.inputTokens()).isEqualTo(4);
            assertThat(completion.outputTokens()).isPositive();
        }
    }

    @Test
    void anthropicRequestIsAMessagesCallWithKeyAndVersionHeaders() {
        try (FakeLlmServer fake = new FakeLlmServer(FakeLlmServer.Kind.ANTHROPIC)) {
            AnthropicProvider provider = new AnthropicProvider(FakeLlmServer.KEY, null, fake.baseUrl(), Duration.ofSeconds(5));

            Completion completion = provider.complete("Hello there", provider.defaultModel(), 64, 1.0);

            FakeLlmServer.Received request = fake.received().get(0);
            assertThat(request.path()).isEqualTo("/v1/messages");
            assertThat(request.header("x-api-key")).isEqualTo(FakeLlmServer.KEY);
            assertThat(request.header("anthropic-version")).isEqualTo("2023-06-01");
            assertThat(request.header("Authorization")).isNull();
            assertThat(request.body().get("model").asText()).isEqualTo("claude-3-opus-20240229");
            assertThat(request.body().get("max_tokens").asInt()).isEqualTo(64);
            assertThat(request.body().at("/messages/0/content").asText()).isEqualTo("Hello there");
            // The fake splits its answer over two text blocks; both must be joined.
            assertThat(completion.text()).isEqualTo("answer to: Hello there (max_tokens=64, temperature=1.0)");
            assertThat(completion.inputTokens()).isEqualTo(2);
        }
    }

    @Test
    void errorsCarryStatusRetryAfterAndTheProvidersMessageButNeverTheKey() {
        try (FakeLlmServer fake = new FakeLlmServer(FakeLlmServer.Kind.ANTHROPIC)) {
            fake.enqueue(429, "rate_limit_error", "Number of requests has exceeded your rate limit", "1.5");
            AnthropicProvider provider = new AnthropicProvider(FakeLlmServer.KEY, null, fake.baseUrl(), Duration.ofSeconds(5));

            assertThatThrownBy(() -> provider.complete("x", "m", 1, 0))
                    .isInstanceOfSatisfying(ProviderException.class, e -> {
                        assertThat(e.status()).isEqualTo(429);
                        assertThat(e.retryable()).isTrue();
                        assertThat(e.retryAfter()).isEqualTo(Duration.ofMillis(1500));
                        assertThat(e.getMessage()).contains("rate limit").doesNotContain(FakeLlmServer.KEY);
                    });
            AnthropicProvider wrongKey = new AnthropicProvider("sk-wrong-secret", null, fake.baseUrl(), Duration.ofSeconds(5));
            assertThatThrownBy(() -> wrongKey.complete("x", "m", 1, 0))
                    .isInstanceOfSatisfying(ProviderException.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.retryable()).isFalse();
                        assertThat(e.getMessage()).doesNotContain("sk-wrong-secret");
                    });
        }
    }

    @Test
    void aRedirectIsAnErrorAndTheKeyNeverFollowsIt() throws Exception {
        java.util.concurrent.atomic.AtomicInteger elsewhere = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer target = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        target.createContext("/", exchange -> {
            elsewhere.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        com.sun.net.httpserver.HttpServer redirecting = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        redirecting.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Location", "http://127.0.0.1:" + target.getAddress().getPort() + "/v1/messages");
            exchange.sendResponseHeaders(307, -1);
            exchange.close();
        });
        target.start();
        redirecting.start();
        try {
            AnthropicProvider provider = new AnthropicProvider(FakeLlmServer.KEY, null,
                    "http://127.0.0.1:" + redirecting.getAddress().getPort() + "/v1", Duration.ofSeconds(5));

            assertThatThrownBy(() -> provider.complete("Hello", provider.defaultModel(), 16, 1.0))
                    .isInstanceOf(ProviderException.class)
                    .satisfies(e -> assertThat(((ProviderException) e).status()).isEqualTo(307))
                    .hasMessageNotContaining(FakeLlmServer.KEY);
            assertThat(elsewhere.get()).isZero();
        } finally {
            redirecting.stop(0);
            target.stop(0);
        }
    }
}
