package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import io.helidon.webserver.WebServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a web page on another site can do to a service on the user's machine: send a "simple"
 * cross-site request (no preflight: no Content-Type or text/plain) — refused with 415 — and read
 * answers — never, unless the operator lists its origin in CORS_ORIGINS.
 */
class BrowserSafetyTest {

    private static final String PASSWORD = "test-" + System.nanoTime();
    private static Database db;
    private static DomainServer server;
    private static TestClient http;

    @BeforeAll
    static void start() {
        db = TestDatabases.fresh();
        server = TestDomainServers.start(db, PASSWORD);
        http = new TestClient(server.port(), "admin", PASSWORD);
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    @Test
    void aBodyWithoutJsonContentTypeIsRefusedWith415AndNothingIsStored() {
        String event = "{\"amount\": 10}";
        for (String type : new String[] {null, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
            TestClient.Reply reply = http.send("POST", "/events", event, type);
            assertThat(reply.status()).as(String.valueOf(type)).isEqualTo(415);
            assertThat(reply.body().get("error").asText()).isEqualTo("unsupported_media_type");
        }
        assertThat(http.send("POST", "/campaigns", "{\"name\": \"x\"}", null).status()).isEqualTo(415);
        assertThat(Sql.count(db, "SELECT count(*) FROM events")).isZero();
        assertThat(http.send("POST", "/events", event, "application/json; charset=utf-8").status()).isEqualTo(201);
    }

    @Test
    void withoutCorsOriginsNoAnswerCarriesCorsHeaders() {
        TestClient.Reply preflight = http.send("OPTIONS", "/events", null, null,
                Map.of("Origin", "https://evil.example", "Access-Control-Request-Method", "POST"));
        assertThat(preflight.header("Access-Control-Allow-Origin")).isNull();
        TestClient.Reply read = http.send("GET", "/campaigns", null, null, Map.of("Origin", "https://evil.example"));
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.header("Access-Control-Allow-Origin")).isNull();
    }

    @Test
    void corsOriginsAllowsExactlyTheListedOrigins() {
        WebServer cors = Servers.start("127.0.0.1", 0, ServerLimits.DEFAULTS, null, 1024, routing -> {
            Servers.cors("https://admin.example, https://ops.example").ifPresent(routing::register);
            routing.get("/campaigns", (request, response) -> JsonIo.ok(response, java.util.List.of()));
        });
        try {
            TestClient client = new TestClient(cors.port(), null, null);
            TestClient.Reply allowed = client.send("OPTIONS", "/campaigns", null, null,
                    Map.of("Origin", "https://ops.example", "Access-Control-Request-Method", "GET"));
            assertThat(allowed.header("Access-Control-Allow-Origin")).isEqualTo("https://ops.example");
            TestClient.Reply other = client.send("OPTIONS", "/campaigns", null, null,
                    Map.of("Origin", "https://evil.example", "Access-Control-Request-Method", "GET"));
            assertThat(other.header("Access-Control-Allow-Origin")).isNull();
        } finally {
            cors.stop();
        }
        assertThat(Servers.cors(null)).isEmpty();
        assertThat(Servers.cors(" ")).isEmpty();
    }
}
