package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.api.LocalDomainApi;
import dev.campaignctl.core.client.HttpDomainApi;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.event.Event;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.idempotency.Created;
import dev.campaignctl.core.idempotency.IdempotencyKey;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Idempotency-Key header on the three create endpoints, through the production routing on a real port. */
class IdempotencyTest {

    private static final String PASSWORD = "idem-" + System.nanoTime();
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

    private static TestClient.Reply post(String path, String json, String key) {
        return http.send("POST", path, json, "application/json", Map.of("Idempotency-Key", key));
    }

    private static long count(String query) {
        return Sql.count(db, query);
    }

    /** Status, Content-Type and JSON body of an answer, from the test client or from a raw socket. */
    private record Answer(int status, String contentType, JsonNode body) {
        static Answer of(TestClient.Reply reply) {
            return new Answer(reply.status(), reply.header("Content-Type"), reply.body());
        }
    }

    private static void assertKeyError(TestClient.Reply reply, int status, String error) {
        assertKeyError(Answer.of(reply), status, error);
    }

    private static void assertKeyError(Answer answer, int status, String error) {
        assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(status);
        assertThat(answer.contentType()).startsWith("application/json");
        assertThat(answer.body().get("error").asText()).isEqualTo(error);
        assertThat(answer.body().get("message").asText()).isNotBlank();
        assertThat(answer.body().get("field").asText()).isEqualTo("Idempotency-Key");
    }

    @Test
    void aRepeatedEventGetsTheOriginalStatusAndBodyMarkedReplayedAndIsStoredOnce() {
        TestClient.Reply first = post("/events", "{\"amount\": 150.00, \"merchant_id\": \"IDEM_EVENT\","
                + " \"transaction_data\": {\"a\": 1, \"b\": 2}}", "event-1");
        processor.runUntilEmpty();

        TestClient.Reply again = post("/events", "{\"transaction_data\": {\"b\": 2, \"a\": 1.0},\n"
                + " \"merchant_id\": \"IDEM_EVENT\", \"amount\": 150}", "event-1");

        assertThat(first.status()).isEqualTo(201);
        assertThat(first.header("Idempotent-Replayed")).isNull();
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.body().get("status").asText()).as("the answer as it was, not the event as it is").isEqualTo("pending");
        assertThat(http.get("/events/" + first.body().get("id").asLong()).body().get("status").asText()).isNotEqualTo("pending");
        assertThat(count("SELECT count(*) FROM events WHERE merchant_id = 'IDEM_EVENT'")).isEqualTo(1);
    }

    @Test
    void aKnownExternalIdUnderAKeyIs200AndReplaysAs200() {
        assertThat(http.post("/events", "{\"amount\": 5, \"external_id\": \"idem-ext\"}").status()).isEqualTo(201);

        TestClient.Reply first = post("/events", "{\"amount\": 5, \"external_id\": \"idem-ext\"}", "event-ext");
        TestClient.Reply again = post("/events", "{\"amount\": 5, \"external_id\": \"idem-ext\"}", "event-ext");

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body().get("duplicate").asBoolean()).isTrue();
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.body()).isEqualTo(first.body());
    }

    @Test
    void aRepeatedCampaignWithRulesIsCreatedOnce() {
        String body = "{\"name\": \"idem campaign\", \"rules\": [{\"priority\": 1, \"conditions\": {\"merchant_id\": \"M\"},"
                + " \"reward\": {\"type\": \"fixed\", \"value\": 10}}]}";
        TestClient.Reply first = post("/campaigns", body, "campaign-1");
        TestClient.Reply again = post("/campaigns", body, "campaign-1");

        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(count("SELECT count(*) FROM campaigns WHERE name = 'idem campaign'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM campaign_rules WHERE campaign_id = " + first.body().get("id").asLong())).isEqualTo(1);
    }

    @Test
    void aRepeatedRuleIsAddedOnce() {
        long campaign = http.post("/campaigns", "{\"name\": \"idem rules\"}").body().get("id").asLong();
        String rule = "{\"priority\": 3, \"conditions\": {\"amount\": {\"$gte\": 10}}, \"reward\": {\"type\": \"percentage\", \"value\": 5}}";

        TestClient.Reply first = post("/campaigns/" + campaign + "/rules", rule, "rule-1");
        TestClient.Reply again = post("/campaigns/" + campaign + "/rules", rule, "rule-1");

        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(count("SELECT count(*) FROM campaign_rules WHERE campaign_id = " + campaign)).isEqualTo(1);
    }

    @Test
    void theSameKeyWithAnotherBodyEndpointOrCampaignIs409() {
        assertThat(post("/events", "{\"amount\": 1, \"merchant_id\": \"IDEM_409\"}", "reused").status()).isEqualTo(201);
        long campaign = http.post("/campaigns", "{\"name\": \"idem 409\"}").body().get("id").asLong();
        long other = http.post("/campaigns", "{\"name\": \"idem 409 other\"}").body().get("id").asLong();
        String rule = "{\"conditions\": {}, \"reward\": {\"type\": \"fixed\", \"value\": 1}}";
        assertThat(post("/campaigns/" + campaign + "/rules", rule, "rule-reused").status()).isEqualTo(201);

        assertKeyError(post("/events", "{\"amount\": 2, \"merchant_id\": \"IDEM_409\"}", "reused"), 409, "conflict");
        assertKeyError(post("/campaigns", "{\"name\": \"idem 409 third\"}", "reused"), 409, "conflict");
        assertKeyError(post("/campaigns/" + other + "/rules", rule, "rule-reused"), 409, "conflict");
        assertThat(count("SELECT count(*) FROM events WHERE merchant_id = 'IDEM_409'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM campaigns WHERE name = 'idem 409 third'")).isZero();
        assertThat(count("SELECT count(*) FROM campaign_rules WHERE campaign_id = " + other)).isZero();
    }

    @Test
    void twentyConcurrentRequestsWithOneKeyStoreOneEventAndAllGetItsId() throws Exception {
        int n = 20;
        CyclicBarrier start = new CyclicBarrier(n);
        List<Future<TestClient.Reply>> replies = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            for (int i = 0; i < n; i++) {
                replies.add(pool.submit(() -> {
                    start.await();
                    return post("/events", "{\"amount\": 9.99, \"merchant_id\": \"IDEM_RACE\"}", "race-key");
                }));
            }
            List<Long> ids = new ArrayList<>();
            int replayed = 0;
            for (Future<TestClient.Reply> future : replies) {
                TestClient.Reply reply = future.get();
                assertThat(reply.status()).as(reply.raw().body()).isEqualTo(201);
                ids.add(reply.body().get("id").asLong());
                replayed += "true".equals(reply.header("Idempotent-Replayed")) ? 1 : 0;
            }
            assertThat(ids).hasSize(n).containsOnly(ids.getFirst());
            assertThat(replayed).isEqualTo(n - 1);
        }
        assertThat(count("SELECT count(*) FROM events WHERE merchant_id = 'IDEM_RACE'")).isEqualTo(1);
    }

    @Test
    void anEmptyLongNonAsciiOrRepeatedKeyIs400NamingTheHeader() throws Exception {
        String event = "{\"amount\": 1, \"merchant_id\": \"IDEM_400\"}";
        assertKeyError(post("/events", event, ""), 400, "validation_failed");
        assertKeyError(post("/events", event, "k".repeat(256)), 400, "validation_failed");
        assertKeyError(post("/campaigns", "{\"name\": \"idem 400\"}", "tab\there"), 400, "validation_failed");
        assertKeyError(raw("POST /events", event, "Idempotency-Key: cl\u00c3\u00a9\r\n"), 400, "validation_failed");
        assertKeyError(raw("POST /events", event, "Idempotency-Key: a\r\nIdempotency-Key: b\r\n"), 400, "validation_failed");
        assertThat(post("/events", event, "k".repeat(255)).status()).isEqualTo(201);
        assertThat(post("/events", event, "order 7, attempt 1").status()).as("a comma is part of the key").isEqualTo(201);
        assertThat(count("SELECT count(*) FROM events WHERE merchant_id = 'IDEM_400'")).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM campaigns WHERE name = 'idem 400'")).isZero();
    }

    @Test
    void theHttpClientAndTheInProcessApiAnswerKeyedRequestsAlike() {
        NewEvent event = new NewEvent(null, null, "IDEM_CLIENT", new BigDecimal("7.50"), null, null, null);
        IdempotencyKey key = IdempotencyKey.random();
        try (HttpDomainApi remote = new HttpDomainApi(URI.create("http://127.0.0.1:" + server.port()), "admin", PASSWORD)) {
            Created<Event> first = remote.registerEvent(event, key);
            Created<Event> again = remote.registerEvent(event, key);
            Created<Event> local = new LocalDomainApi(db, null, false).registerEvent(event, key);

            assertThat(first.replayed()).isFalse();
            assertThat(again.replayed()).isTrue();
            assertThat(local.replayed()).isTrue();
            assertThat(again.value()).isEqualTo(first.value());
            assertThat(local.value()).isEqualTo(first.value());
        }
        assertThat(count("SELECT count(*) FROM events WHERE merchant_id = 'IDEM_CLIENT'")).isEqualTo(1);
    }

    /** One request written byte by byte, for headers an HTTP client would not send. */
    private static Answer raw(String requestLine, String body, String headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String auth = Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        String head = requestLine + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n"
                + "Authorization: Basic " + auth + "\r\n" + headers + "Content-Length: " + bytes.length + "\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
            // Read by Content-Length: the server may keep the connection open after answering.
            InputStream in = socket.getInputStream();
            StringBuilder responseHead = new StringBuilder();
            while (responseHead.indexOf("\r\n\r\n") < 0) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed in the response head: " + responseHead);
                }
                responseHead.append((char) b);
            }
            String lower = responseHead.toString().toLowerCase(Locale.ROOT);
            int at = lower.indexOf("content-length: ");
            int length = Integer.parseInt(lower.substring(at + 16, lower.indexOf("\r\n", at)).trim());
            String content = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            String contentType = lower.contains("content-type: application/json") ? "application/json" : lower;
            return new Answer(Integer.parseInt(lower.substring(9, 12)), contentType, Json.tree(content));
        }
    }
}
