package dev.campaignctl.core.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.testing.FakeLlmServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway's behaviour against fake providers, with the in-process cache. */
class AiGatewayTest {

    private FakeLlmServer openai;
    private FakeLlmServer anthropic;

    @BeforeEach
    void start() {
        openai = new FakeLlmServer(FakeLlmServer.Kind.OPENAI);
        anthropic = new FakeLlmServer(FakeLlmServer.Kind.ANTHROPIC);
    }

    @AfterEach
    void stop() {
        openai.close();
        anthropic.close();
    }

    private AiGateway gateway(String openAiKey, String fallback, Duration timeout, int retries) {
        return AiGateway.fromConfig(new AiConfig(openAiKey, "gpt-4", openai.baseUrl(), FakeLlmServer.KEY, null,
                anthropic.baseUrl(), null, Duration.ofHours(1), null, fallback, timeout, retries, Duration.ofMillis(5)));
    }

    private AiGateway gateway() {
        return gateway(FakeLlmServer.KEY, null, Duration.ofSeconds(5), 3);
    }

    private static GenerateRequest request(String prompt, String provider, Integer maxTokens, Double temperature, Boolean cache) {
        return new GenerateRequest(prompt, provider, null, maxTokens, temperature, cache);
    }

    @Test
    void aSecondIdenticalRequestIsAnsweredFromTheCache() {
        try (AiGateway gateway = gateway()) {
            GenerateResponse first = gateway.generate(request("Explain loyalty programs benefits", "openai", 1000, 0.7, true));
            GenerateResponse second = gateway.generate(request("Explain loyalty programs benefits", "openai", 1000, 0.7, true));

            assertThat(first.cached()).isFalse();
            assertThat(second.cached()).isTrue();
            assertThat(second.text()).isEqualTo(first.text());
            assertThat(first.provider()).isEqualTo("OpenAI");
            assertThat(first.tokenCount()).isEqualTo(first.inputTokens() + first.outputTokens());
            assertThat(openai.completions()).isEqualTo(1);
        }
    }

    @Test
    void requestsDifferingOnlyInGenerationParametersNeverShareAnAnswer() {
        try (AiGateway gateway = gateway()) {
            GenerateResponse a = gateway.generate(request("same prompt", "openai", 100, 0.7, true));
            GenerateResponse b = gateway.generate(request("same prompt", "openai", 200, 0.7, true));
            GenerateResponse c = gateway.generate(request("same prompt", "openai", 100, 0.1, true));
            GenerateResponse d = gateway.generate(request("same prompt", "anthropic", 100, 0.7, true));

            assertThat(List.of(a.cached(), b.cached(), c.cached(), d.cached())).containsOnly(false);
            assertThat(b.text()).contains("max_tokens=200");
            assertThat(c.text()).contains("temperature=0.1");
            assertThat(openai.completions()).isEqualTo(3);
            assertThat(anthropic.completions()).isEqualTo(1);
        }
    }

    @Test
    void useCacheFalseAlwaysAsksTheProvider() {
        try (AiGateway gateway = gateway()) {
            gateway.generate(request("fresh", "openai", null, null, true));
            GenerateResponse fresh = gateway.generate(request("fresh", "openai", null, null, false));

            assertThat(fresh.cached()).isFalse();
            assertThat(openai.completions()).isEqualTo(2);
        }
    }

    @Test
    void rateLimitsAreRetriedHonouringRetryAfter() {
        openai.enqueue(429, "requests", "Rate limit reached", "0.2");
        openai.enqueue(503, "server_error", "The server is overloaded", null);
        try (AiGateway gateway = gateway()) {
            long start = System.nanoTime();
            GenerateResponse answer = gateway.generate(request("retry me", "openai", null, null, true));

            assertThat(answer.text()).startsWith("answer to: retry me");
            assertThat(openai.received()).hasSize(3);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        }
    }

    @Test
    void persistentServerErrorsBecomeABadGatewayAfterTheRetries() {
        openai.failAlways(500, "server_error", "internal");
        try (AiGateway gateway = gateway()) {
            assertThatThrownBy(() -> gateway.generate(request("x", "openai", null, null, true)))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_GATEWAY))
                    .hasMessageContaining("gave up after retries");
            assertThat(openai.received()).hasSize(4);
        }
    }

    @Test
    void aRejectedKeyIsNotRetriedAndTheErrorNamesTheVariableNotTheKey() {
        try (AiGateway gateway = gateway("sk-live-very-secret", null, Duration.ofSeconds(5), 3)) {
            assertThatThrownBy(() -> gateway.generate(request("x", "openai", null, null, true)))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_GATEWAY))
                    .hasMessageContaining("OPENAI_API_KEY")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sk-live-very-secret"));
            assertThat(openai.received()).hasSize(1);
        }
    }

    @Test
    void aSlowProviderIsAGatewayTimeout() {
        openai.delay(Duration.ofSeconds(2));
        try (AiGateway gateway = gateway(FakeLlmServer.KEY, null, Duration.ofMillis(300), 0)) {
            assertThatThrownBy(() -> gateway.generate(request("slow", "openai", null, null, true)))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.GATEWAY_TIMEOUT));
        }
    }

    @Test
    void unknownAndUnconfiguredProvidersAreClearErrors() {
        try (AiGateway gateway = gateway(null, null, Duration.ofSeconds(5), 0)) {
            assertThatThrownBy(() -> gateway.generate(request("x", "mistral", null, null, true)))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ErrorKind.VALIDATION);
                        assertThat(e.field()).isEqualTo("provider");
                    });
            assertThatThrownBy(() -> gateway.generate(request("x", "openai", null, null, true)))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE))
                    .hasMessageContaining("set OPENAI_API_KEY");
            // With OpenAI unconfigured, a request naming no provider goes to the configured one.
            assertThat(gateway.generate(request("x", null, null, null, true)).provider()).isEqualTo("Anthropic");
        }
    }

    @Test
    void theCircuitOpensAfterRepeatedFailuresAndStopsCallingTheProvider() {
        openai.failAlways(502, "server_error", "bad gateway upstream");
        try (AiGateway gateway = gateway(FakeLlmServer.KEY, null, Duration.ofSeconds(5), 0)) {
            for (int i = 0; i < 10; i++) {
                int n = i;
                assertThatThrownBy(() -> gateway.generate(request("cb " + n, "openai", null, null, true)))
                        .isInstanceOf(ApiException.class);
            }
            int calls = openai.received().size();

            assertThatThrownBy(() -> gateway.generate(request("cb again", "openai", null, null, true)))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE))
                    .hasMessageContaining("circuit breaker is open");
            assertThat(openai.received()).hasSize(calls);
            assertThat(gateway.providers()).filteredOn(p -> p.name().equals("openai"))
                    .singleElement().satisfies(p -> assertThat(p.circuit()).isEqualTo("open"));
        }
    }

    @Test
    void aFailingProviderFallsBackToTheConfiguredOne() {
        openai.failAlways(500, "server_error", "down");
        try (AiGateway gateway = gateway(FakeLlmServer.KEY, "anthropic", Duration.ofSeconds(5), 1)) {
            GenerateResponse answer = gateway.generate(request("fall back", "openai", null, null, true));

            assertThat(answer.provider()).isEqualTo("Anthropic");
            assertThat(anthropic.completions()).isEqualTo(1);
        }
    }

    @Test
    void identicalConcurrentRequestsCallTheProviderOnce() throws Exception {
        openai.delay(Duration.ofMillis(300));
        try (AiGateway gateway = gateway(); ExecutorService pool = Executors.newFixedThreadPool(8)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<GenerateResponse>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return gateway.generate(request("together", "openai", null, null, true));
                }));
            }
            go.countDown();
            for (Future<GenerateResponse> answer : answers) {
                assertThat(answer.get().text()).startsWith("answer to: together");
            }
            assertThat(openai.completions()).isEqualTo(1);
        }
    }

    @Test
    void badRequestsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> GenerateRequest.of(" ")).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> request("x", null, 0, null, null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("max_tokens"));
        assertThatThrownBy(() -> request("x", null, 10_000_000, null, null)).hasMessageContaining("must be 1 to 64000");
        assertThatThrownBy(() -> request("x", null, null, 2.5, null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("temperature"));
        assertThatThrownBy(() -> GenerateRequest.of("x".repeat(GenerateRequest.MAX_PROMPT + 1)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("prompt"));
    }

    @Test
    void anAiTimeoutOutsideOneSecondToOneDayIsRefusedByName() {
        assertThatThrownBy(() -> AiConfig.fromEnv(Map.of("AI_TIMEOUT", "0")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.oneLine()).contains("AI_TIMEOUT", "between 1 and 86400"));
        assertThat(AiConfig.fromEnv(Map.of("AI_TIMEOUT", "90")).timeout()).hasSeconds(90);
    }
}
