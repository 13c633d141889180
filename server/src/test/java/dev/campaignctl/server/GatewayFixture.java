package dev.campaignctl.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.ai.AiConfig;
import dev.campaignctl.core.ai.AiGateway;
import dev.campaignctl.core.ai.ChatGateway;
import dev.campaignctl.core.ai.GatewaySettings;
import dev.campaignctl.core.ai.LocalAiApi;
import dev.campaignctl.core.ai.RateLimiter;
import dev.campaignctl.core.ai.keys.KeyStore;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.testing.FakeLlmServer;
import dev.campaignctl.core.testing.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * AI servers with the OpenAI-compatible API over fake OpenAI and Anthropic upstreams, their keys
 * in one fresh PostgreSQL database — several servers on it act as replicas.
 */
final class GatewayFixture implements AutoCloseable {

    static final String TOKEN = "admin-token-" + System.nanoTime();

    final FakeLlmServer openai = new FakeLlmServer(FakeLlmServer.Kind.OPENAI);
    final FakeLlmServer anthropic = new FakeLlmServer(FakeLlmServer.Kind.ANTHROPIC);
    final Database database = TestDatabases.fresh();
    private final List<AutoCloseable> started = new ArrayList<>();

    AiConfig config() {
        return new AiConfig(FakeLlmServer.KEY, "gpt-4o", openai.baseUrl(), FakeLlmServer.KEY, "claude-3-5-sonnet-latest",
                anthropic.baseUrl(), null, Duration.ofHours(1), null, null, Duration.ofSeconds(10), 1, Duration.ofMillis(5),
                GatewaySettings.fromEnv(Map.of("AI_MODEL_ALIASES", "smart=claude-3-5-sonnet-latest,fast=gpt-4o-mini",
                        "AI_PRICES", "{\"gpt-4o\": {\"input\": \"2.50\", \"output\": \"10.00\"}, \"claude-3-5\": {\"input\": \"3\", \"output\": \"15\"}}")));
    }

    /** One more AI server (a replica) on the shared database; returns its port. */
    int startServer() {
        return startServer(config());
    }

    /** One more AI server on the shared database with {@code config} (other upstreams, say); returns its port. */
    int startServer(AiConfig config) {
        LocalAiApi api = new LocalAiApi(AiGateway.fromConfig(config), true);
        RateLimiter limiter = new RateLimiter(null);
        ChatGateway chat = ChatGateway.of(api.gateway(), config, new KeyStore(database.dataSource()), limiter);
        AiServer server = AiServer.start("127.0.0.1", 0, ServerLimits.DEFAULTS, null, api, chat, TOKEN);
        started.add(api);
        started.add(limiter);
        started.add(chat);
        started.add(server);
        return server.port();
    }

    TestClient admin(int port) {
        return new TestClient(port, null, null).withAuthorization("Bearer " + TOKEN);
    }

    /** Creates a key through the admin API; returns its answer (with the secret in {@code key}). */
    JsonNode createKey(int port, String json) {
        TestClient.Reply created = admin(port).post("/v1/keys", json);
        if (created.status() != 201) {
            throw new AssertionError("key not created: " + created.status() + " " + created.body());
        }
        return created.body();
    }

    /** Waits until every settle of {@code keyId} has committed (they run after the answer went out). */
    void awaitSettled(long keyId) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> scalar("SELECT count(*) FROM ai_reservations WHERE key_id = " + keyId) == 0);
    }

    /** A number from the database, for asserting on what the store recorded. */
    long scalar(String sql) {
        try (Connection c = database.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                // Keep closing the rest.
            }
        }
        database.close();
        openai.close();
        anthropic.close();
    }
}
