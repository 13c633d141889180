package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.ai.AiConfig;
import dev.campaignctl.core.ai.AiGateway;
import dev.campaignctl.core.ai.ChatGateway;
import dev.campaignctl.core.ai.LocalAiApi;
import dev.campaignctl.core.ai.RateLimiter;
import dev.campaignctl.core.ai.keys.KeyStore;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.testing.FakeLlmServer;
import dev.campaignctl.core.testing.TestDatabases;
import dev.campaignctl.server.AiServer;
import dev.campaignctl.server.ServerLimits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code ai keys create|list|show|usage|revoke} against a running AI service with its token. */
class CliAiKeysTest {

    private static final String TOKEN = "cli-admin-" + System.nanoTime();
    private static FakeLlmServer openai;
    private static Database database;
    private static LocalAiApi api;
    private static AiServer server;
    private static Map<String, String> env;

    @BeforeAll
    static void start() {
        openai = new FakeLlmServer(FakeLlmServer.Kind.OPENAI);
        database = TestDatabases.fresh();
        AiConfig config = new AiConfig(FakeLlmServer.KEY, "gpt-4o", openai.baseUrl(), null, null, null, null,
                Duration.ofHours(1), null, null, Duration.ofSeconds(5), 1, Duration.ofMillis(5));
        api = new LocalAiApi(AiGateway.fromConfig(config), true);
        ChatGateway chat = ChatGateway.of(api.gateway(), config, new KeyStore(database.dataSource()), new RateLimiter(null));
        server = AiServer.start("127.0.0.1", 0, ServerLimits.DEFAULTS, null, api, chat, TOKEN);
        env = Map.of("AI_MANAGEMENT_URL", "http://127.0.0.1:" + server.port(), "AI_API_TOKEN", TOKEN);
    }

    @AfterAll
    static void stop() {
        server.close();
        api.close();
        database.close();
        openai.close();
    }

    @Test
    void aKeyIsPrintedOnceListedWithoutItsSecretUsedAndRevoked() throws Exception {
        CliRun created = CliRun.run(env, "ai", "keys", "create", "--name", "ci", "--budget-tokens", "5000", "--rpm", "60",
                "--models", "gpt-4o,gpt-4o-mini", "--expires", "P30D");
        assertThat(created.code()).as(created.err()).isZero();
        // Piped, the CLI prints JSON; on a terminal the secret alone (KEY=$(campaignctl ai keys create ...)).
        String secret = Json.tree(created.out()).get("key").asText();
        assertThat(secret).startsWith("sk-cc-");
        assertThat(created.err()).contains("shown only now");

        CliRun list = CliRun.run(env, "ai", "keys", "list", "-o", "json");
        assertThat(list.code()).isZero();
        assertThat(list.out()).doesNotContain(secret);
        JsonNode key = Json.tree(list.out()).get(0);
        assertThat(key.get("name").asText()).isEqualTo("ci");
        assertThat(key.get("budget_tokens").asLong()).isEqualTo(5000);
        assertThat(key.get("models")).hasSize(2);
        assertThat(key.get("expires_at").asText()).isNotEmpty();
        long id = key.get("id").asLong();

        HttpResponse<String> call = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + secret)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(call.statusCode()).as(call.body()).isEqualTo(200);

        // Settled just after the answer went out.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            CliRun usage = CliRun.run(env, "ai", "keys", "usage", String.valueOf(id), "-o", "json");
            assertThat(usage.code()).isZero();
            assertThat(Json.tree(usage.out()).get("spent_tokens").asLong()).isPositive();
        });

        CliRun revoked = CliRun.run(env, "ai", "keys", "revoke", String.valueOf(id), "-o", "json");
        assertThat(revoked.code()).isZero();
        assertThat(Json.tree(revoked.out()).get("revoked_at").asText()).isNotEmpty();
    }

    @Test
    void badInputAndAMissingTokenHaveTheirExitCodes() {
        assertThat(CliRun.run(env, "ai", "keys", "create", "--name", "x", "--expires", "soon").code()).isEqualTo(ExitCodes.INVALID);
        CliRun noPeriod = CliRun.run(env, "ai", "keys", "create", "--name", "x", "--expires", "P0D");
        assertThat(noPeriod.err().split("expires:", -1)).as(noPeriod.err()).hasSize(2);
        assertThat(CliRun.run(env, "ai", "keys", "create", "--name", "x", "--models", ",,").code()).isEqualTo(ExitCodes.INVALID);
        assertThat(CliRun.run(env, "ai", "keys", "create", "--name", "x", "--budget-tokens", "-5").code()).isEqualTo(ExitCodes.INVALID);
        assertThat(CliRun.run(Map.of("AI_MANAGEMENT_URL", env.get("AI_MANAGEMENT_URL")), "ai", "keys", "list").code())
                .isEqualTo(ExitCodes.AUTH);
        assertThat(CliRun.run(env, "ai", "keys", "show", "999").code()).isEqualTo(ExitCodes.NOT_FOUND);
    }
}
