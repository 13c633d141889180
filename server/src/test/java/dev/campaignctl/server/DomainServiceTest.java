package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.metrics.Metrics;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every domain endpoint through the production routing on a real port: success and error cases. */
class DomainServiceTest {

    private static final String PASSWORD = "test-" + System.nanoTime();
    private static Database db;
    private static DomainServer server;
    private static TestClient http;
    private static EventProcessor processor;

    @BeforeAll
    static void start() {
        db = TestDatabases.fresh();
        processor = new EventProcessor(db, new EventProcessor.Settings(100, Duration.ofSeconds(5), 1));
        server = TestDomainServers.start(db, PASSWORD);
        http = new TestClient(server.port(), "admin", PASSWORD);
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    private static long createCampaign(String name) {
        TestClient.Reply reply = http.post("/campaigns", "{\"name\": \"" + name + "\"}");
        assertThat(reply.status()).isEqualTo(201);
        return reply.body().get("id").asLong();
    }

    private static void assertError(TestClient.Reply reply, int status, String error, String field) {
        assertThat(reply.status()).isEqualTo(status);
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        assertThat(reply.body().get("error").asText()).isEqualTo(error);
        assertThat(reply.body().get("message").asText()).isNotBlank();
        if (field != null) {
            assertThat(reply.body().get("field").asText()).isEqualTo(field);
        }
    }

    @Test
    void healthAnswersWithoutCredentials() {
        TestClient.Reply reply = http.as(null, null).get("/health");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("healthy");
        assertThat(reply.body().get("database").asText()).isEqualTo("ok");
    }

    @Test
    void metricsArePrometheusTextWithoutCredentials() {
        http.post("/events", "{\"amount\": 1, \"merchant_id\": \"METRICS\"}");
        processor.runUntilEmpty();
        http.get("/events/123456789");

        TestClient.Reply metrics = http.as(null, null).send("GET", "/metrics", null, null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type")).startsWith("text/plain").contains("version=0.0.4");
        String text = metrics.raw().body();
        // Labels come in the library's order, sorted by name; Prometheus gives the order no meaning.
        assertThat(text).contains("# TYPE campaignctl_http_requests_total counter")
                .containsPattern("campaignctl_http_requests_total\\{method=\"POST\",route=\"/events\",service=\"domain\",status=\"201\"} [1-9]")
                .contains("route=\"/events/{id}\",service=\"domain\",status=\"404\"")
                .containsPattern("campaignctl_events_ingested_total [1-9]")
                .containsPattern("campaignctl_events_decided_total\\{outcome=\"skipped\"} [1-9]")
                .contains("campaignctl_processing_batch_seconds_bucket{le=\"+Inf\"}")
                .contains("jvm_memory_used_bytes{area=\"heap\"");
    }

    @Test
    void metricsCarryTheJvmTheConnectionPoolAndEscapedLabelValues() {
        String pool = ((HikariDataSource) db.dataSource()).getPoolName();
        Metrics.counter("campaignctl_test_escaping_total", "Test only", "value", "a \"quote\", a \\ and a\nnewline")
                .increment();

        String text = http.as(null, null).send("GET", "/metrics", null, null).raw().body();

        assertThat(text).contains("# TYPE jvm_gc_memory_allocated_bytes_total counter", "jvm_threads_live_threads ",
                        "jvm_classes_loaded_classes ", "system_cpu_count ", "process_uptime_seconds ")
                .containsPattern("hikaricp_connections\\{pool=\"" + pool + "\"} [0-9]")
                .containsPattern("hikaricp_connections_active\\{pool=\"" + pool + "\"} [0-9]")
                .contains("campaignctl_test_escaping_total{value=\"a \\\"quote\\\", a \\\\ and a\\nnewline\"} 1.0");
    }

    @Test
    void livenessAndReadinessAreSeparateAndOpen() {
        assertThat(http.as(null, null).get("/health/live").body().get("status").asText()).isEqualTo("alive");
        TestClient.Reply ready = http.as(null, null).get("/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body().get("database").asText()).isEqualTo("ok");
    }

    @Test
    void everyResponseCarriesARequestIdTheCallersWhenItSentOne() {
        TestClient.Reply generated = http.get("/campaigns");
        assertThat(generated.header("X-Request-Id")).matches("[0-9a-f-]{36}");
        TestClient.Reply echoed = http.send("GET", "/campaigns", null, null, java.util.Map.of("X-Request-Id", "trace-42"));
        assertThat(echoed.header("X-Request-Id")).isEqualTo("trace-42");
    }

    @Test
    void aKnownPathWithAnUnsupportedMethodIsAJson405() {
        assertError(http.send("DELETE", "/campaigns/1", null, null), 405, "method_not_allowed", null);
        assertError(http.send("PUT", "/events", "{}", "application/json"), 405, "method_not_allowed", null);
        assertError(http.send("DELETE", "/nothing/here", null, null), 404, "not_found", null);
    }

    @Test
    void everyOtherRouteNeedsValidCredentialsAndSaysHow() {
        TestClient.Reply missing = http.as(null, null).get("/campaigns");
        assertError(missing, 401, "unauthorized", null);
        assertThat(missing.header("WWW-Authenticate")).startsWith("Basic realm=");

        assertError(http.as("admin", "wrong").get("/campaigns"), 401, "unauthorized", null);
        assertError(http.as("root", PASSWORD).get("/campaigns"), 401, "unauthorized", null);
        assertError(http.withAuthorization("Bearer abc").get("/campaigns"), 401, "unauthorized", null);
        assertError(http.withAuthorization("Basic !!!").get("/campaigns"), 401, "unauthorized", null);
    }

    @Test
    void campaignCreatedWithoutStatusIsActiveAndCanBeReadListedAndUpdated() {
        TestClient.Reply created = http.post("/campaigns",
                "{\"name\": \"Spring Sale 2024\", \"description\": \"spring\", \"starts_at\": \"2024-03-01T00:00:00Z\"}");
        assertThat(created.status()).isEqualTo(201);
        long id = created.body().get("id").asLong();
        assertThat(created.body().get("status").asText()).isEqualTo("active");
        assertThat(created.body().get("starts_at").asText()).isEqualTo("2024-03-01T00:00:00Z");

        assertThat(http.get("/campaigns/" + id).body().get("name").asText()).isEqualTo("Spring Sale 2024");
        assertThat(http.get("/campaigns").body().findValuesAsText("name")).contains("Spring Sale 2024");

        TestClient.Reply paused = http.patch("/campaigns/" + id, "{\"status\": \"paused\"}");
        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.body().get("status").asText()).isEqualTo("paused");
        assertThat(http.get("/campaigns?status=paused").body().findValuesAsText("id")).contains(String.valueOf(id));
        assertThat(http.get("/campaigns?status=draft").body().findValuesAsText("id")).doesNotContain(String.valueOf(id));
    }

    @Test
    void badCampaignInputIsRefusedNamingTheFieldAndNothingIsStored() {
        long before = Sql.count(db, "SELECT count(*) FROM campaigns");
        assertError(http.post("/campaigns", "{}"), 400, "validation_failed", "name");
        assertError(http.post("/campaigns", "{\"name\": 42}"), 400, "validation_failed", "name");
        assertError(http.post("/campaigns", "{\"name\": \"x\", \"status\": \"live\"}"), 400, "validation_failed", "status");
        assertError(http.post("/campaigns", "{\"name\": \"x\", \"starts_at\": \"yesterday\"}"), 400, "validation_failed", "starts_at");
        assertError(http.post("/campaigns", "{\"name\": \"x\", \"starts_at\": \"2024-03-02T00:00:00Z\","
                + " \"ends_at\": \"2024-03-01T00:00:00Z\"}"), 400, "validation_failed", "ends_at");
        assertError(http.post("/campaigns", "{\"name\": "), 400, "validation_failed", null);
        assertError(http.post("/campaigns", "[1, 2]"), 400, "validation_failed", null);
        assertError(http.send("POST", "/campaigns", "name=x", "text/plain"), 415, "unsupported_media_type", null);
        assertError(http.post("/campaigns", "{\"name\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}"), 413, "payload_too_large", null);
        assertThat(Sql.count(db, "SELECT count(*) FROM campaigns")).isEqualTo(before);
    }

    @Test
    void unknownIdsAndRoutesAreJson404s() {
        assertError(http.get("/campaigns/999999"), 404, "not_found", null);
        assertError(http.get("/events/999999"), 404, "not_found", null);
        assertError(http.get("/campaigns/999999/rules"), 404, "not_found", null);
        assertError(http.post("/campaigns/999999/rules", "{\"conditions\": {}, \"reward\": {\"type\": \"fixed\", \"value\": 1}}"),
                404, "not_found", null);
        assertError(http.patch("/campaigns/999999", "{\"status\": \"paused\"}"), 404, "not_found", null);
        assertError(http.get("/nowhere"), 404, "not_found", null);
        assertError(http.get("/events/abc"), 400, "validation_failed", "id");
    }

    @Test
    void rulesAreAddedAndListedHighestPriorityFirst() {
        long id = createCampaign("rules");
        TestClient.Reply low = http.post("/campaigns/" + id + "/rules", "{\"name\": \"low\", \"priority\": 1,"
                + " \"conditions\": {\"merchant_id\": \"M\"}, \"reward\": {\"type\": \"fixed\", \"value\": 5}}");
        assertThat(low.status()).isEqualTo(201);
        assertThat(low.body().get("campaign_id").asLong()).isEqualTo(id);
        assertThat(low.body().at("/reward/type").asText()).isEqualTo("fixed");
        http.post("/campaigns/" + id + "/rules", "{\"name\": \"high\", \"priority\": 10,"
                + " \"conditions\": {\"amount\": {\"$gte\": 100}}, \"reward\": {\"type\": \"percentage\", \"value\": 2.5}}");

        TestClient.Reply list = http.get("/campaigns/" + id + "/rules");
        assertThat(list.body().findValuesAsText("name")).containsExactly("high", "low");
        assertThat(list.body().get(0).at("/reward/value").decimalValue()).isEqualByComparingTo("2.5");
    }

    @Test
    void badRulesAreRefusedWithThePathOfTheProblem() {
        long id = createCampaign("bad rules");
        assertError(http.post("/campaigns/" + id + "/rules", "{\"conditions\": {\"amount\": {\"$gtx\": 1}},"
                + " \"reward\": {\"type\": \"fixed\", \"value\": 1}}"), 400, "validation_failed", "conditions.amount.$gtx");
        assertError(http.post("/campaigns/" + id + "/rules", "{\"conditions\": {},"
                + " \"reward\": {\"type\": \"fixed\", \"value\": -1}}"), 400, "validation_failed", "reward.value");
        assertError(http.post("/campaigns/" + id + "/rules", "{\"conditions\": {},"
                + " \"reward\": {\"type\": \"gift\", \"value\": 1}}"), 400, "validation_failed", "reward.type");
        assertError(http.post("/campaigns/" + id + "/rules", "{\"reward\": {\"type\": \"fixed\", \"value\": 1}}"),
                400, "validation_failed", "conditions");
        assertError(http.post("/campaigns/" + id + "/rules", "{\"conditions\": {}, \"priority\": \"high\","
                + " \"reward\": {\"type\": \"fixed\", \"value\": 1}}"), 400, "validation_failed", "priority");
        assertThat(http.get("/campaigns/" + id + "/rules").body()).isEmpty();
    }

    @Test
    void aRuleOnAnEndedCampaignIsAConflict() {
        long id = createCampaign("over");
        assertThat(http.patch("/campaigns/" + id, "{\"status\": \"ended\"}").status()).isEqualTo(200);

        assertError(http.post("/campaigns/" + id + "/rules", "{\"conditions\": {},"
                + " \"reward\": {\"type\": \"fixed\", \"value\": 1}}"), 409, "conflict", "campaign_id");
        assertError(http.patch("/campaigns/" + id, "{\"status\": \"active\"}"), 409, "conflict", "status");
    }

    @Test
    void eventsAreRegisteredPendingAndAnExternalIdIsIdempotent() {
        TestClient.Reply created = http.post("/events", "{\"amount\": 150.00, \"merchant_id\": \"MERCHANT_001\","
                + " \"customer_id\": \"C1\", \"external_id\": \"order-1\", \"transaction_data\": {\"channel\": \"web\"}}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().get("status").asText()).isEqualTo("pending");
        assertThat(created.body().get("matched_rule_id").isNull()).isTrue();
        long id = created.body().get("id").asLong();

        TestClient.Reply again = http.post("/events", "{\"amount\": 150, \"merchant_id\": \"MERCHANT_001\","
                + " \"customer_id\": \"C1\", \"external_id\": \"order-1\", \"transaction_data\": {\"channel\": \"web\"}}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().get("id").asLong()).isEqualTo(id);
        assertError(http.post("/events", "{\"amount\": 1, \"external_id\": \"order-1\"}"), 409, "conflict", "external_id");

        TestClient.Reply got = http.get("/events/" + id);
        assertThat(got.body().get("amount").decimalValue()).isEqualByComparingTo("150");
        assertThat(got.body().get("earnings")).isEmpty();
        assertThat(http.get("/events?status=pending&limit=5").body().findValuesAsText("id")).contains(String.valueOf(id));
    }

    @Test
    void badEventsAreRefusedNamingTheFieldAndNothingIsStored() {
        long before = Sql.count(db, "SELECT count(*) FROM events");
        assertError(http.post("/events", "{\"merchant_id\": \"M\"}"), 400, "validation_failed", "amount");
        assertError(http.post("/events", "{\"amount\": -5}"), 400, "validation_failed", "amount");
        assertError(http.post("/events", "{\"amount\": \"lots\"}"), 400, "validation_failed", "amount");
        assertError(http.post("/events", "{\"amount\": 1, \"transaction_data\": [1]}"), 400, "validation_failed", "transaction_data");
        assertError(http.post("/events", "{\"amount\": 1, \"occurred_at\": 5}"), 400, "validation_failed", "occurred_at");
        assertError(http.post("/events", "{\"amount\": 1, \"customer_id\": {\"a\": 1}}"), 400, "validation_failed", "customer_id");
        assertError(http.get("/events?status=done"), 400, "validation_failed", "status");
        assertError(http.get("/events?limit=0"), 400, "validation_failed", "limit");
        assertThat(Sql.count(db, "SELECT count(*) FROM events")).isEqualTo(before);
    }

    @Test
    void processedEventShowsItsRuleAndEarningsWhichAreListedByCampaignAndCustomer() {
        long campaign = createCampaign("earning");
        long rule = http.post("/campaigns/" + campaign + "/rules", "{\"priority\": 10,"
                + " \"conditions\": {\"merchant_id\": \"EARN_M\"}, \"reward\": {\"type\": \"fixed\", \"value\": 100}}")
                .body().get("id").asLong();
        long event = http.post("/events", "{\"amount\": 150.00, \"merchant_id\": \"EARN_M\", \"customer_id\": \"EARN_C\"}")
                .body().get("id").asLong();

        processor.runUntilEmpty();

        TestClient.Reply got = http.get("/events/" + event);
        assertThat(got.body().get("status").asText()).isEqualTo("processed");
        assertThat(got.body().get("matched_rule_id").asLong()).isEqualTo(rule);
        assertThat(got.body().get("processed_at").isNull()).isFalse();
        assertThat(got.body().get("earnings")).hasSize(1);
        assertThat(got.body().at("/earnings/0/amount").decimalValue()).isEqualByComparingTo("100");
        assertThat(http.get("/earnings?campaign_id=" + campaign).body()).hasSize(1);
        assertThat(http.get("/earnings?customer_id=EARN_C").body().findValuesAsText("rule_id")).containsExactly(String.valueOf(rule));
        assertThat(http.get("/earnings?customer_id=NOBODY").body()).isEmpty();
        assertError(http.get("/earnings?campaign_id=x"), 400, "validation_failed", "campaign_id");
    }
}
