package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.ai.AiConfig;
import dev.campaignctl.core.ai.AiGateway;
import dev.campaignctl.core.ai.LocalAiApi;
import dev.campaignctl.core.testing.FakeLlmServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The AI management endpoints through the production routing, against a fake OpenAI. */
class AiServiceTest {

    private static final String TOKEN = "ai-token-" + System.nanoTime();
    private static FakeLlmServer openai;
    private static AiServer server;
    private static TestClient http;

    @BeforeAll
    static void start() {
        openai = new FakeLlmServer(FakeLlmServer.Kind.OPENAI);
        AiConfig config = new AiConfig(FakeLlmServer.KEY, "gpt-4", openai.baseUrl(), null, null, null, null,
                Duration.ofHours(1), null, null, Duration.ofSeconds(5), 1, Duration.ofMillis(5));
        server = AiServer.start("127.0.0.1", 0, new LocalAiApi(AiGateway.fromConfig(config), true), TOKEN);
        http = new TestClient(server.port(), null, null).withAuthorization("Bearer " + TOKEN);
    }

    @AfterAll
    static void stop() {
        server.close();
        openai.close();
    }

    @Test
    void generateAnswersWithTheReferenceFieldsAndAnXCacheHeader() {
        String body = "{\"prompt\": \"Explain loyalty programs benefits\", \"provider\": \"openai\", \"model\": \"gpt-4\","
                + " \"max_tokens\": 1000, \"temperature\": 0.7, \"use_cache\": true}";
        TestClient.Reply first = http.post("/generate", body);
        TestClient.Reply second = http.post("/generate", body);

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("X-Cache")).isEqualTo("MISS");
        assertThat(second.header("X-Cache")).isEqualTo("HIT");
        assertThat(first.body().get("text").asText()).startsWith("answer to: Explain loyalty programs benefits");
        assertThat(first.body().get("provider").asText()).isEqualTo("OpenAI");
        assertThat(first.body().get("model").asText()).isEqualTo("gpt-4-0613");
        assertThat(first.body().get("cached").asBoolean()).isFalse();
        assertThat(second.body().get("cached").asBoolean()).isTrue();
        assertThat(first.body().get("token_count").asInt())
                .isEqualTo(first.body().get("input_tokens").asInt() + first.body().get("output_tokens").asInt());
    }

    @Test
    void providersAndHealthDescribeTheGateway() {
        TestClient.Reply providers = http.get("/providers");
        assertThat(providers.body().get("providers").findValuesAsText("name")).containsExactly("openai", "anthropic");
        assertThat(providers.body().at("/providers/1/configured").asBoolean()).isFalse();
        assertThat(providers.body().at("/providers/1/key_variable").asText()).isEqualTo("ANTHROPIC_API_KEY");

        TestClient.Reply health = http.as(null, null).get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().get("status").asText()).isEqualTo("healthy");
        assertThat(health.body().at("/cache/backend").asText()).isEqualTo("memory");
        assertThat(http.get("/cache/health").body().get("status").asText()).isEqualTo("ok");
    }

    @Test
    void clearEmptiesTheCache() {
        http.post("/generate", "{\"prompt\": \"to be cleared\"}");
        TestClient.Reply cleared = http.post("/cache/clear", "{}");
        assertThat(cleared.status()).isEqualTo(200);
        assertThat(cleared.body().get("removed").asLong()).isPositive();
        assertThat(http.post("/generate", "{\"prompt\": \"to be cleared\"}").header("X-Cache")).isEqualTo("MISS");
    }

    @Test
    void badRequestsGetClearErrors() {
        assertField(http.post("/generate", "{\"prompt\": \"\"}"), 400, "prompt");
        assertField(http.post("/generate", "{\"prompt\": \"x\", \"max_tokens\": -1}"), 400, "max_tokens");
        assertField(http.post("/generate", "{\"prompt\": \"x\", \"temperature\": 3}"), 400, "temperature");
        assertField(http.post("/generate", "{\"prompt\": \"x\", \"use_cache\": \"yes\"}"), 400, "use_cache");
        assertField(http.post("/generate", "{\"prompt\": \"x\", \"provider\": \"mistral\"}"), 400, "provider");
        TestClient.Reply unconfigured = http.post("/generate", "{\"prompt\": \"x\", \"provider\": \"anthropic\"}");
        assertField(unconfigured, 503, "provider");
        assertThat(unconfigured.body().get("message").asText()).contains("ANTHROPIC_API_KEY");
        assertThat(http.post("/generate", "{\"prompt\": ").status()).isEqualTo(400);
        assertThat(http.post("/generate", "{\"prompt\": \"" + "x".repeat(1_100_000) + "\"}").status()).isEqualTo(413);
    }

    @Test
    void everyRouteButHealthNeedsTheBearerToken() {
        TestClient.Reply missing = http.as(null, null).post("/generate", "{\"prompt\": \"x\"}");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(http.withAuthorization("Bearer wrong").get("/providers").status()).isEqualTo(401);
    }

    private static void assertField(TestClient.Reply reply, int status, String field) {
        assertThat(reply.status()).as(String.valueOf(reply.body())).isEqualTo(status);
        assertThat(reply.body().get("field").asText()).isEqualTo(field);
    }
}
