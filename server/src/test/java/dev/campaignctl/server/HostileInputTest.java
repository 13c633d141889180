package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.ai.AiConfig;
import dev.campaignctl.core.ai.AiGateway;
import dev.campaignctl.core.ai.ChatGateway;
import dev.campaignctl.core.ai.LocalAiApi;
import dev.campaignctl.core.ai.RateLimiter;
import dev.campaignctl.core.ai.keys.KeySpec;
import dev.campaignctl.core.ai.keys.KeyStore;
import dev.campaignctl.core.api.LocalDomainApi;
import dev.campaignctl.core.client.HttpJson;
import dev.campaignctl.core.config.Authenticator;
import dev.campaignctl.core.config.ConfigurationStore;
import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.testing.FakeLlmServer;
import dev.campaignctl.core.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Hostile input against every endpoint of the three services, on real servers on free ports (the AI
 * service in front of a fake OpenAI): malformed and truncated JSON, wrong types, NaN and infinities,
 * huge exponents and scales, deep nesting, long strings, invalid UTF-8, NUL, unknown fields beside
 * bad ones, wrong content types, oversized bodies, tricks in paths, queries and headers, missing or
 * wrong credentials. Every case must get a 4xx with a JSON error body, within the client's timeout;
 * nothing stored may change (a fingerprint of every table the services write, the provider's count
 * of completions), and the service must be ready afterwards.
 *
 * <p>The cases are a table, built below endpoint by endpoint; the body limits are small so that
 * oversized bodies are cheap to send.
 */
class HostileInputTest {

    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);
    private static final int JSON_LIMIT = 64 * 1024;
    private static final int FILE_LIMIT = 256 * 1024;
    private static final ServerLimits LIMITS = ServerLimits.DEFAULTS.withBodies(JSON_LIMIT, FILE_LIMIT, FILE_LIMIT);
    private static final String PASSWORD = "hostile-" + System.nanoTime();
    private static final String TOKEN = "hostile-token-" + System.nanoTime();
    /** Tables the services write; configuration is left out (a login may upgrade the stored hash). */
    private static final List<String> TABLES = List.of("campaigns", "campaign_rules", "events", "earnings",
            "campaign_customer_spend", "rule_set_version", "idempotency_keys", "balances", "ledger_entries", "lots",
            "lot_movements", "redemptions", "refunds", "ai_keys", "ai_reservations", "ai_usage", "ai_spend");

    enum Service { DOMAIN, AI, AGENTS }

    /** One request: raw request target and headers; {@code Content-Length} is added unless the case sets its own framing. */
    record Case(String name, Service service, String method, byte[] target, Map<String, String> headers, byte[] body,
                boolean credentials) {
        @Override
        public String toString() {
            return service + " " + method + " " + (name.startsWith("/") ? "" : abbreviate(new String(target, StandardCharsets.ISO_8859_1)) + ": ") + name;
        }
    }

    private static Database db;
    private static FakeLlmServer openai;
    private static DomainServer domain;
    private static AiServer ai;
    private static long aiKey;
    private static AgentsServer agents;
    private static long campaign;
    private static long event;

    @BeforeAll
    static void start() {
        db = TestDatabases.fresh();
        Authenticator auth = new ConfigurationStore(db.dataSource()).authenticator(new Credentials("admin", PASSWORD));
        LocalDomainApi api = new LocalDomainApi(db, null, false);
        openai = new FakeLlmServer(FakeLlmServer.Kind.OPENAI);
        AiConfig config = new AiConfig(FakeLlmServer.KEY, "gpt-4", openai.baseUrl(), null, null, null, null,
                Duration.ofHours(1), null, null, Duration.ofSeconds(5), 1, Duration.ofMillis(5));
        LocalAiApi gateway = new LocalAiApi(AiGateway.fromConfig(config), true);
        domain = DomainServer.start("127.0.0.1", 0, LIMITS, api, auth);
        KeyStore keys = new KeyStore(db.dataSource());
        ai = AiServer.start("127.0.0.1", 0, LIMITS, null, gateway, ChatGateway.of(gateway.gateway(), config, keys, new RateLimiter(null)), TOKEN);
        aiKey = keys.create(new KeySpec("hostile", 1_000_000L, null, null, null, null), java.time.Instant.now()).stored().id();
        agents = AgentsServer.start("127.0.0.1", 0, LIMITS, AgentRuns.Settings.DEFAULTS, api, gateway, auth);
        TestClient http = new TestClient(domain.port(), "admin", PASSWORD);
        campaign = http.post("/campaigns", "{\"name\": \"hostile\"}").body().get("id").asLong();
        http.post("/campaigns/" + campaign + "/rules", "{\"priority\": 1, \"conditions\": {\"merchant_id\": \"M\"},"
                + " \"reward\": {\"type\": \"fixed\", \"value\": 1}}");
        event = http.post("/events", "{\"amount\": 10, \"merchant_id\": \"M\"}").body().get("id").asLong();
    }

    @AfterAll
    static void stop() {
        agents.close();
        ai.close();
        domain.close();
        openai.close();
        db.close();
    }

    @Test
    void theTableHoldsAtLeastFiveHundredCasesOverEveryEndpoint() {
        List<Case> cases = cases();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(500);
        for (Service service : Service.values()) {
            List<String> paths = switch (service) {
                case DOMAIN -> DomainService.PATHS;
                case AI -> AiService.PATHS;
                case AGENTS -> AgentsService.PATHS;
            };
            RouteTemplates templates = new RouteTemplates(paths);
            List<String> covered = cases.stream().filter(c -> c.service() == service)
                    .map(c -> templates.of(path(c))).distinct().toList();
            assertThat(covered).as(service + " endpoints with hostile cases").containsAll(paths);
        }
    }

    @Test
    void aRequestLineOfAnotherProtocolVersionClosesTheConnectionAtOnce() throws IOException {
        for (Service service : Service.values()) {
            RawHttp.Response response = RawHttp.exchange(port(service), bytes("GET /health HTTP/0.9\r\n\r\n"), null, ANSWER_WITHIN);
            assertThat(response.status()).as("no HTTP/1.1 answer to HTTP/0.9, or a 4xx").isIn(-1, 400, 505);
            assertThat(ready(service)).isEqualTo(200);
        }
    }

    @Test
    void aMalformedParameterIsA400NamingIt() throws IOException {
        record Named(Service service, String method, String target, String field) {
        }
        for (Named n : List.of(new Named(Service.AGENTS, "POST", "/agents/event-batches?concurrency=abc", "concurrency"),
                new Named(Service.AGENTS, "POST", "/agents/event-batches?concurrency=0", "concurrency"),
                new Named(Service.AGENTS, "POST", "/agents/event-batches?wait=maybe", "wait"),
                new Named(Service.AGENTS, "POST", "/agents/event-batches?name=a&name=b", "name"),
                new Named(Service.AGENTS, "POST", "/agents/campaigns?dry_run=yes", "dry_run"),
                new Named(Service.DOMAIN, "GET", "/campaigns?limit=abc", "limit"),
                new Named(Service.DOMAIN, "GET", "/campaigns?limit=99999999999", "limit"),
                new Named(Service.DOMAIN, "GET", "/campaigns/+1", "id"),
                new Named(Service.DOMAIN, "GET", "/events?status=bogus", "status"),
                new Named(Service.DOMAIN, "GET", "/earnings?campaign_id=-5", "campaign_id"),
                new Named(Service.DOMAIN, "GET", "/earnings?customer_id=a%00b", "customer_id"),
                new Named(Service.DOMAIN, "GET", "/customers/C1/ledger?limit=abc", "limit"),
                new Named(Service.DOMAIN, "GET", "/customers/C1/ledger?starting_after=-3", "starting_after"),
                new Named(Service.DOMAIN, "GET", "/customers/a%01b/balance", "customer_id"))) {
            Case c = new Case(n.target(), n.service(), n.method(), bytes(n.target()), Map.of("Content-Type", "application/json"),
                    bytes("[{\"amount\": 1}]"), true);
            RawHttp.Response response = send(c);
            assertThat(response.status()).as(n.target()).isEqualTo(400);
            assertThat(Json.tree(response.text()).path("field").asText()).as(n.target()).isEqualTo(n.field());
        }
    }

    @TestFactory
    Stream<DynamicTest> everyHostileRequestIsAFourHundredWithAJsonBodyAndChangesNothing() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> check(c)));
    }

    private static void check(Case c) throws IOException {
        Map<String, String> before = fingerprint();
        int completions = openai.completions();

        RawHttp.Response response;
        try {
            response = send(c);
        } catch (RawHttp.NoAnswer e) {
            throw new AssertionError(c + ": " + e.getMessage(), e);
        }

        assertThat(response.status()).as("status of %s: %s", c, abbreviate(response.text())).isBetween(400, 499);
        assertThat(response.header("Content-Type")).as("content type of %s", c).startsWith("application/json");
        JsonNode body = Json.tree(response.text());
        if (path(c).startsWith("/v1/") && body.path("error").isObject()) {
            // The OpenAI-compatible routes answer in OpenAI's error shape, which its SDKs read.
            body = body.get("error");
            assertThat(body.path("type").isTextual()).as("error type in %s", response.text()).isTrue();
        } else {
            assertThat(body.path("error").isTextual()).as("error code in %s", response.text()).isTrue();
        }
        assertThat(body.path("message").isTextual()).as("message in %s", response.text()).isTrue();
        assertThat(fingerprint()).as("stored data after %s", c).isEqualTo(before);
        assertThat(openai.completions()).as("provider calls after %s", c).isEqualTo(completions);
        assertThat(ready(c.service())).as("ready after %s", c).isEqualTo(200);
    }

    private static RawHttp.Response send(Case c) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        if (c.credentials()) {
            headers.put("Authorization", c.service() == Service.AI ? "Bearer " + TOKEN : HttpJson.basic("admin", PASSWORD));
        }
        headers.putAll(c.headers());
        boolean framed = headers.keySet().stream().anyMatch(h -> h.equalsIgnoreCase("Content-Length")
                || h.equalsIgnoreCase("Transfer-Encoding"));
        if (!framed && c.body() != null) {
            headers.put("Content-Length", Integer.toString(c.body().length));
        }
        return RawHttp.exchange(port(c.service()), RawHttp.head(c.method(), c.target(), headers), c.body(), ANSWER_WITHIN);
    }

    private static int ready(Service service) throws IOException {
        return RawHttp.exchange(port(service), RawHttp.head("GET", bytes("/health/ready"), Map.of()), null, ANSWER_WITHIN).status();
    }

    private static int port(Service service) {
        return switch (service) {
            case DOMAIN -> domain.port();
            case AI -> ai.port();
            case AGENTS -> agents.port();
        };
    }

    /** Every table's rows as one digest per table: any insert, update or delete changes it. */
    private static Map<String, String> fingerprint() {
        Map<String, String> digests = new LinkedHashMap<>();
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet rs = s.executeQuery("SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                        + " FROM " + table + " t")) {
                    rs.next();
                    digests.put(table, rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return digests;
    }

    // ---- the table ----

    /** A JSON-body endpoint: where it is, a valid body, and what its fields must not be. */
    private record Endpoint(Service service, String method, String path, String validBody, Map<String, List<String>> badFields) {
    }

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (Endpoint endpoint : jsonEndpoints()) {
            malformedJson(cases, endpoint);
            badFields(cases, endpoint);
            contentTypes(cases, endpoint.service(), endpoint.method(), endpoint.path(), endpoint.validBody());
            oversized(cases, endpoint.service(), endpoint.method(), endpoint.path(), "application/json", JSON_LIMIT);
        }
        batches(cases);
        yaml(cases);
        paths(cases);
        queries(cases);
        headers(cases);
        credentials(cases);
        methods(cases);
        return cases;
    }

    private static final List<String> NOT_TEXT = List.of("123", "true", "[]", "{}", "\"a\\u0000b\"", "\"\\ud800\"",
            "\"x\\udc00y\"", "[[[[[[[[[[\"deep\"]]]]]]]]]]");
    private static final List<String> NOT_NUMBER = List.of("\"abc\"", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "true",
            "[]", "{}", "1e999999999", "-1e999999999", "1e-999999999", "\"1e999999999\"", "\"-1E+2147483647\"",
            "0." + "0".repeat(900) + "1", "9".repeat(1001), "\"" + "9".repeat(5000) + "\"", "1" + "0".repeat(30),
            "-5", "[1e999999999]");
    private static final List<String> NOT_INTEGER = List.of("1.5", "\"abc\"", "99999999999999999999", "-99999999999999999999",
            "1e3", "true", "[]", "{}", "NaN", "9".repeat(1001));
    private static final List<String> NOT_TIME = List.of("\"yesterday\"", "\"2024-13-45T99:99:99Z\"", "123", "\"2024-03-01\"",
            "\"+999999999-12-31T23:59:59Z\"", "\"-999999999-01-01T00:00:00Z\"", "\"2024-03-01T00:00:00\"", "[]",
            "\"2024-03-01T00:00:00Z\\u0000\"");
    private static final List<String> NOT_CHOICE = List.of("\"bogus\"", "1", "\"\"", "\"active\\u0000\"", "[\"active\"]",
            "\"" + "a".repeat(5000) + "\"");
    private static final String LONG_TEXT = "\"" + "x".repeat(20_000) + "\"";

    private static List<Endpoint> jsonEndpoints() {
        String rule = "{\"priority\": 1, \"conditions\": {\"merchant_id\": \"M\"}, \"reward\": {\"type\": \"fixed\", \"value\": 1}}";
        String c = Long.toString(campaign);
        return List.of(
                new Endpoint(Service.DOMAIN, "POST", "/campaigns", "{\"name\": \"ok\"}", Map.of(
                        "name", concat(NOT_TEXT, List.of(LONG_TEXT, "\"\"", "\"   \"")),
                        "description", concat(NOT_TEXT, List.of(LONG_TEXT)),
                        "status", NOT_CHOICE,
                        "evaluation", NOT_CHOICE,
                        "starts_at", NOT_TIME,
                        "budget_total", NOT_NUMBER,
                        "customer_cap", NOT_NUMBER,
                        "rules", List.of("{}", "\"x\"", "[1]", "[{\"conditions\": {\"$gtx\": 1}}]", "[" + rule.replace("1}}", "-1}}") + "]"))),
                new Endpoint(Service.DOMAIN, "PATCH", "/campaigns/" + c, "{\"name\": \"renamed\"}", Map.of(
                        "name", concat(NOT_TEXT, List.of(LONG_TEXT, "\"\"")),
                        "status", NOT_CHOICE,
                        "ends_at", NOT_TIME,
                        "budget_total", NOT_NUMBER)),
                new Endpoint(Service.DOMAIN, "POST", "/campaigns/" + c + "/rules", rule, Map.of(
                        "priority", concat(NOT_INTEGER, List.of("2000000", "-2000000")),
                        "name", concat(NOT_TEXT, List.of(LONG_TEXT)),
                        "conditions", List.of("[]", "\"x\"", "1", "{\"$gtx\": 1}", "{\"amount\": {\"$gt\": 1e999999999}}",
                                "{\"a\\u0000\": 1}", "{\"x\": {\"$regex\": \"(\"}}", "{\"x\": {\"$in\": 5}}", "{\"x\": {\"$size\": -1}}",
                                nested("{\"a\":", 1001, "1", "}")),
                        "reward", List.of("null", "[]", "\"fixed\"", "{\"type\": \"bogus\", \"value\": 1}", "{\"type\": \"fixed\"}",
                                "{\"type\": \"fixed\", \"value\": -1}", "{\"type\": \"fixed\", \"value\": 1e999999999}",
                                "{\"type\": \"fixed\", \"value\": 0.00001}", "{\"type\": \"per_unit\", \"value\": 1000000000}",
                                "{\"type\": \"fixed\", \"value\": \"NaN\"}"))),
                new Endpoint(Service.DOMAIN, "POST", "/events", "{\"amount\": 10, \"merchant_id\": \"M\"}", Map.of(
                        "amount", NOT_NUMBER,
                        "merchant_id", concat(NOT_TEXT, List.of(LONG_TEXT, "\"\"")),
                        "customer_id", concat(NOT_TEXT, List.of(LONG_TEXT)),
                        "currency", concat(NOT_TEXT, List.of("\"EURO\"", "\"eu\"", "\"" + "E".repeat(500) + "\"")),
                        "external_id", concat(NOT_TEXT, List.of(LONG_TEXT)),
                        "occurred_at", NOT_TIME,
                        "transaction_data", List.of("[]", "\"x\"", "1", "{\"x\": 1e10000}", "{\"x\": \"a\\u0000\"}",
                                "{\"\\u0000\": 1}", "{\"x\": \"\\ud800\"}", nested("{\"a\":", 2000, "1", "}"),
                                nested("[", 100_000, "1", "]")))),
                new Endpoint(Service.DOMAIN, "POST", "/events/explain", "{\"amount\": 10, \"merchant_id\": \"M\"}", Map.of(
                        "amount", NOT_NUMBER,
                        "event_id", concat(NOT_INTEGER, List.of("-1", "0", "\"abc\"")),
                        "occurred_at", NOT_TIME,
                        "transaction_data", List.of("[]", "{\"x\": 1e10000}", nested("{\"a\":", 2000, "1", "}")))),
                new Endpoint(Service.DOMAIN, "POST", "/events/outcomes", "{\"ids\": [" + event + "]}", Map.of(
                        "ids", List.of("1", "\"1\"", "{}", "[\"abc\"]", "[-1]", "[0]", "[1.5e999999999]", "[99999999999999999999]",
                                "[" + "1,".repeat(10_001) + "1]", "[[1]]", "[null]"))),
                new Endpoint(Service.DOMAIN, "POST", "/rules/backtest", "{\"rules\": [" + rule.replace("{\"priority\"",
                        "{\"campaign_id\": " + c + ", \"priority\"") + "]}", Map.of(
                        "rules", List.of("[]", "{}", "[1]", "[" + rule + "]", "[{\"campaign_id\": \"x\"}]",
                                "[{\"campaign_id\": 99999999, \"priority\": 1, \"conditions\": {}, \"reward\": {\"type\": \"fixed\", \"value\": 1}}]"),
                        "since", List.of("\"yesterday\"", "\"-7d\"", "\"99999999999d\"", "1", "\"7x\"", "\"+999999999-01-01T00:00:00Z\""),
                        "until", List.of("\"tomorrow\"", "[]", "\"0d\"x"),
                        "max_changes", NOT_INTEGER)),
                new Endpoint(Service.DOMAIN, "POST", "/customers/C1/redemptions", "{\"points\": 1}", Map.of(
                        "points", concat(NOT_NUMBER, List.of("0", "-1", "0.00001", "1000000000000")),
                        "reason", List.of(LONG_TEXT, "123", "[]"),
                        "external_id", concat(NOT_TEXT, List.of(LONG_TEXT)))),
                new Endpoint(Service.DOMAIN, "POST", "/customers/C1/adjustments", "{\"points\": 1, \"reason\": \"r\"}", Map.of(
                        // A negative adjustment is valid (it takes points): -5 is not among the hostile numbers here.
                        "points", concat(NOT_NUMBER.stream().filter(v -> !v.equals("-5")).toList(),
                                List.of("0", "0.00001", "1000000000000")),
                        "reason", concat(NOT_TEXT, List.of(LONG_TEXT, "\"\"", "\"  \"", "null")))),
                new Endpoint(Service.DOMAIN, "POST", "/events/" + event + "/refunds", "{\"amount\": 1}", Map.of(
                        "amount", concat(NOT_NUMBER, List.of("0", "0.00001")),
                        "reason", List.of(LONG_TEXT, "[]"))),
                new Endpoint(Service.DOMAIN, "POST", "/ledger/expire", "{\"now\": \"2020-01-01T00:00:00Z\"}", Map.of(
                        "now", NOT_TIME)),
                new Endpoint(Service.AI, "POST", "/generate", "{\"prompt\": \"hello\"}", Map.of(
                        "prompt", concat(NOT_TEXT, List.of("\"\"", "\"  \"")),
                        "provider", concat(NOT_TEXT, List.of("\"bogus\"", "\"\"")),
                        "model", concat(NOT_TEXT, List.of(LONG_TEXT, "\"\"")),
                        "max_tokens", concat(NOT_INTEGER, List.of("0", "-1", "64001", "2147483647")),
                        "temperature", concat(NOT_NUMBER, List.of("2.5", "-0.1")),
                        "use_cache", List.of("\"yes\"", "1", "[]", "{}"))),
                new Endpoint(Service.AI, "POST", "/v1/chat/completions",
                        "{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", Map.of(
                        "model", concat(NOT_TEXT, List.of(LONG_TEXT, "\"\"")),
                        "messages", List.of("[]", "{}", "\"hi\"", "[1]", "[{\"role\": \"wizard\", \"content\": \"x\"}]",
                                "[{\"role\": \"user\"}]", "[{\"role\": \"user\", \"content\": 5}]", "null"),
                        "max_tokens", concat(NOT_INTEGER, List.of("0", "-1", "64001", "2147483647")),
                        "temperature", concat(NOT_NUMBER, List.of("2.5", "-0.1")),
                        "top_p", List.of("1.5", "-1", "\"x\"", "[]"),
                        "stream", List.of("\"yes\"", "1", "[]", "{}"),
                        "stop", List.of("5", "[1]", "[\"\"]", "[\"a\", \"b\", \"c\", \"d\", \"e\"]", "{}"),
                        "n", List.of("2", "0", "1.5", "\"1\""))),
                new Endpoint(Service.AI, "POST", "/v1/keys", "{\"name\": \"hostile-new\"}", Map.of(
                        "name", concat(NOT_TEXT, List.of(LONG_TEXT, "\"\"")),
                        "budget_tokens", concat(NOT_INTEGER, List.of("-1", "1000000000000000")),
                        "budget_usd", concat(NOT_NUMBER, List.of("1000000000000", "0.0000000000001")),
                        "rpm", concat(NOT_INTEGER, List.of("0", "-1", "1000001")),
                        "models", List.of("\"gpt-4o\"", "[1]", "[\"\"]", "{}", "[" + "\"m\",".repeat(100) + "\"m\"]"),
                        "expires", List.of("\"soon\"", "\"P0D\"", "\"-P1D\"", "\"P1000Y\"", "5", "\"PT\""))),
                new Endpoint(Service.AGENTS, "POST", "/agents/campaigns", "{\"name\": \"via agents\"}", Map.of(
                        "name", concat(NOT_TEXT, List.of(LONG_TEXT, "\"\"")),
                        "starts_at", NOT_TIME,
                        "budget_total", NOT_NUMBER,
                        "rules", List.of("{}", "\"x\"", "[1]", "[{\"conditions\": {\"$gtx\": 1}}]")))
        );
    }

    /** Documents that are not JSON, or not one the endpoint takes, whatever their fields. */
    private static void malformedJson(List<Case> cases, Endpoint e) {
        List<String> documents = List.of("", "   ", "{", "{\"name\": ", "{\"name\": \"x\"", "[", "]", "nul", "tru",
                "{\"a\": 1,}", "{'name': 'x'}", "{name: \"x\"}", "NaN", "Infinity", "-Infinity", "{\"x\": NaN}",
                "{\"x\": Infinity}", "{\"x\": -Infinity}", "{\"x\": 01}", "{\"x\": .5}", "{\"x\": 1.}", "{\"x\": +1}",
                "{\"x\": 0x10}", "\"a string\"", "42", "null", "true", "[]", "[{}]", "{} {}", "{}}", "{\"a\" 1}",
                "{\"a\": \"unterminated}", "{\"a\": \"bad escape \\x\"}", "{\"a\": \"\\u12\"}", "/* comment */ {}",
                "{\"a\": 1} // trailing", nested("[", 100_000, "", "]"), nested("{\"a\":", 100_000, "1", "}"),
                nested("[", 1001, "1", "]"), "\uFEFF{}");
        for (String document : documents) {
            cases.add(json(e, "malformed " + abbreviate(document), document));
        }
        cases.add(json(e, "unknown fields only", "{\"zzz\": 1, \"bogus\": {\"x\": [1, 2]}}"));
        cases.add(json(e, "a field name of 50,000 characters", "{\"" + "k".repeat(50_000) + "\": 1}"));
        cases.add(jsonBytes(e, "invalid UTF-8 (FF FE)", concat(bytes("{\"name\": \""), new byte[] {(byte) 0xFF, (byte) 0xFE}, bytes("\"}"))));
        cases.add(jsonBytes(e, "invalid UTF-8 (overlong slash)", concat(bytes("{\"name\": \"a"), new byte[] {(byte) 0xC0, (byte) 0xAF}, bytes("\"}"))));
        cases.add(jsonBytes(e, "invalid UTF-8 (lone continuation)", concat(bytes("{\"name\": \"a"), new byte[] {(byte) 0x80}, bytes("\"}"))));
        cases.add(jsonBytes(e, "invalid UTF-8 (truncated sequence)", concat(bytes("{\"name\": \"a"), new byte[] {(byte) 0xE2, (byte) 0x82}, bytes("\"}"))));
        cases.add(jsonBytes(e, "invalid UTF-8 (encoded surrogate)", concat(bytes("{\"name\": \"a"), new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, bytes("\"}"))));
        cases.add(jsonBytes(e, "raw NUL in a string", concat(bytes("{\"name\": \"a"), new byte[] {0}, bytes("\"}"))));
        cases.add(jsonBytes(e, "raw NUL between tokens", concat(bytes("{\"name\": \"a\""), new byte[] {0}, bytes("}"))));
        cases.add(jsonBytes(e, "UTF-16 with a BOM", concat(new byte[] {(byte) 0xFE, (byte) 0xFF}, "{\"zz\": 1}".getBytes(StandardCharsets.UTF_16BE))));
        cases.add(jsonBytes(e, "truncated valid body", Arrays.copyOf(bytes(e.validBody()), e.validBody().length() - 1)));
    }

    /** The valid body with one field made wrong, and with an unknown field beside the wrong one. */
    private static void badFields(List<Case> cases, Endpoint e) {
        e.badFields().forEach((field, values) -> {
            for (String value : values) {
                cases.add(json(e, field + " = " + abbreviate(value), with(e.validBody(), field, value)));
            }
            cases.add(json(e, field + " wrong beside an unknown field", with(with(e.validBody(), field, values.getFirst()), "zzz_unknown", "1")));
        });
    }

    private static void contentTypes(List<Case> cases, Service service, String method, String path, String body) {
        for (String type : new String[] {null, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "application/xml", "application/jsonx", "application/json-patch+json", ";;;", "application/json\u0000", ""}) {
            Map<String, String> headers = type == null ? Map.of() : Map.of("Content-Type", type);
            cases.add(new Case("content type " + (type == null ? "missing" : "'" + type.replace("\u0000", "\\0") + "'"), service, method,
                    bytes(path), headers, bytes(body), true));
        }
        cases.add(new Case("Latin-1 body declared as Latin-1", service, method, bytes(path),
                Map.of("Content-Type", "application/json; charset=ISO-8859-1"),
                concat(bytes("{\"name\": \"caf"), new byte[] {(byte) 0xE9}, bytes("\"}")), true));
    }

    private static void oversized(List<Case> cases, Service service, String method, String path, String type, int limit) {
        cases.add(new Case("declared one byte over the limit, not sent", service, method, bytes(path),
                Map.of("Content-Type", type, "Content-Length", Integer.toString(limit + 1)), null, true));
        cases.add(new Case("declared 1 GiB, not sent", service, method, bytes(path),
                Map.of("Content-Type", type, "Content-Length", Long.toString(1L << 30)), null, true));
        cases.add(new Case("chunked, 4 KiB over the limit", service, method, bytes(path),
                Map.of("Content-Type", type, "Transfer-Encoding", "chunked"), chunked(padded(limit + 4096)), true));
        cases.add(new Case("sent whole, one byte over the limit", service, method, bytes(path),
                Map.of("Content-Type", type), bytes(padded(limit + 1)), true));
    }

    /** The event batch and the agents' event files: arrays and NDJSON, with their own limits. */
    private static void batches(List<Case> cases) {
        record Target(Service service, String path, int limit) {
        }
        // A batch holds at most 10,000 events; an agents' file may hold any number.
        cases.add(new Case("array of 10,001 events", Service.DOMAIN, "POST", bytes("/events/batch"),
                Map.of("Content-Type", "application/json"), bytes("[" + "{\"amount\": 1},".repeat(10_000) + "{\"amount\": 1}]"), true));
        // An empty batch is an empty answer; an agents' run of nothing is refused.
        cases.add(new Case("NDJSON of nothing but blank lines", Service.AGENTS, "POST", bytes("/agents/event-batches"),
                Map.of("Content-Type", "application/x-ndjson"), bytes("\n  \n\r\n"), true));
        cases.add(new Case("NDJSON of 10,001 events", Service.DOMAIN, "POST", bytes("/events/batch"),
                Map.of("Content-Type", "application/x-ndjson"), bytes("{\"amount\": 1}\n".repeat(10_001)), true));
        for (Target t : List.of(new Target(Service.DOMAIN, "/events/batch", FILE_LIMIT),
                new Target(Service.AGENTS, "/agents/event-batches", FILE_LIMIT))) {
            for (String document : List.of("", "{", "[", "[{\"amount\": 1}", "{\"amount\": 1}", "42", "\"x\"", "null",
                    "[{\"amount\": 1},]", "[NaN]", "[1e999999999", nested("[", 100_000, "", "]"),
                    "[{\"amount\": 1, \"transaction_data\": " + nested("{\"a\":", 100_000, "1", "}") + "}]")) {
                cases.add(new Case("array " + abbreviate(document), t.service(), "POST", bytes(t.path()),
                        Map.of("Content-Type", "application/json"), bytes(document), true));
            }
            for (byte[] invalid : List.of(new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                    new byte[] {(byte) 0xC0, (byte) 0xAF})) {
                byte[] body = concat(bytes("{\"amount\": 1, \"transaction_data\": {\"x\": \""), invalid, bytes("\"}}\n"));
                cases.add(new Case("NDJSON with invalid UTF-8 in transaction data " + HexFormat.of().formatHex(invalid),
                        t.service(), "POST", bytes(t.path()), Map.of("Content-Type", "application/x-ndjson"), body, true));
                cases.add(new Case("array with invalid UTF-8 in transaction data " + HexFormat.of().formatHex(invalid),
                        t.service(), "POST", bytes(t.path()), Map.of("Content-Type", "application/json"),
                        concat(bytes("["), body, bytes("]")), true));
            }
            contentTypes(cases, t.service(), "POST", t.path(), "[{\"amount\": 1, \"external_id\": \"never-stored\"}]");
            oversized(cases, t.service(), "POST", t.path(), "application/x-ndjson", t.limit());
        }
    }

    /** Campaign specs sent as YAML: what YAML has beyond JSON (aliases, tags, special floats) must not get through. */
    private static void yaml(List<Case> cases) {
        String laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                + "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                + "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\nname: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
        List<String> specs = List.of(laughs, "name: x\nbudget_total: .inf\n", "name: x\nbudget_total: .nan\n",
                "name: x\nbudget_total: -.inf\n", "name: x\nbudget_total: 1e-999999999\n", "name: x\nbudget_total: " + "9".repeat(2000) + "\n", "name: !!binary aGVsbG8=\n",
                "name: x\nstarts_at: 2024-03-01\n", "name: x\nstarts_at: 99999-01-01T00:00:00Z\n", "name: " + nested("[", 100_000, "", "]"),
                "name: x\nrules: {conditions: {$gtx: 1}}\n", "name: x\n  bad indent: y\n", "- just\n- a list\n", "plain text",
                "name: \"a\\0b\"\n", "name: x\nrules:\n  - reward: {type: fixed, value: -1}\n    conditions: {}\n",
                "? [complex, key]\n: value\nname: x\nzz: [\n");
        for (String spec : specs) {
            cases.add(new Case("YAML " + abbreviate(spec), Service.AGENTS, "POST", bytes("/agents/campaigns"),
                    Map.of("Content-Type", "application/yaml"), bytes(spec), true));
        }
    }

    /** Ids that are not ids, and paths that try to leave their route. */
    private static void paths(List<Case> cases) {
        List<String> notIds = List.of("abc", "-1", "0", "99999999999999999999", "1e3", "1.5", "%2e%2e", "%00", "%2F", "1%00",
                "..%2F..%2Fetc%2Fpasswd", "9".repeat(1000), "%ff", "%zz", "%", "1%20", "+1", "0x10", "%E2%80%AE1", "9223372036854775807");
        // Not here: "1;x=y", "//health", "/health;x=1" — Helidon reads matrix parameters and repeated
        // slashes as the same path, so they name the very resource they look like.
        for (String id : notIds) {
            cases.add(plain(Service.DOMAIN, "GET", "/campaigns/" + id));
            cases.add(plain(Service.DOMAIN, "GET", "/campaigns/" + id + "/rules"));
            cases.add(plain(Service.DOMAIN, "GET", "/events/" + id));
            cases.add(new Case("/campaigns/" + abbreviate(id), Service.DOMAIN, "PATCH", bytes("/campaigns/" + id), Map.of("Content-Type", "application/json"),
                    bytes("{\"name\": \"x\"}"), true));
            cases.add(new Case("/campaigns/" + abbreviate(id) + "/rules", Service.DOMAIN, "POST", bytes("/campaigns/" + id + "/rules"), Map.of("Content-Type", "application/json"),
                    bytes("{\"priority\": 1, \"conditions\": {}, \"reward\": {\"type\": \"fixed\", \"value\": 1}}"), true));
            cases.add(plain(Service.AGENTS, "GET", "/agents/runs/" + id));
            cases.add(plain(Service.AI, "GET", "/v1/keys/" + id));
            cases.add(plain(Service.AI, "GET", "/v1/keys/" + id + "/usage"));
        }
        cases.add(plain(Service.AGENTS, "GET", "/agents/runs/00000000-0000-0000-0000-000000000000"));
        cases.add(plain(Service.AGENTS, "GET", "/agents/runs/" + "a".repeat(3000)));
        for (Service service : Service.values()) {
            for (String path : List.of("/%2e%2e/%2e%2e/etc/passwd", "/../../etc/passwd", "/health/%2e%2e/metrics/..",
                    "/" + "a".repeat(5000), "/%00", "/health%00", "/health/", "/HEALTH/READY",
                    "/%zz", "/\u00e9", "*", "http://evil.example/", "/campaigns/1/rules/2")) {
                cases.add(plain(service, "GET", path));
            }
            cases.add(new Case("raw NUL in the path", service, "GET", concat(bytes("/hea"), new byte[] {0}, bytes("lth")), Map.of(), null, true));
            cases.add(new Case("raw invalid UTF-8 in the path", service, "GET", concat(bytes("/health/"), new byte[] {(byte) 0xFF}),
                    Map.of(), null, true));
            cases.add(new Case("raw space in the path", service, "GET", bytes("/health /x"), Map.of(), null, true));
        }
    }

    /** Query parameters that are malformed, out of range, repeated or carry control characters. */
    private static void queries(List<Case> cases) {
        List<String> domain = List.of("/campaigns?limit=abc", "/campaigns?limit=-1", "/campaigns?limit=0", "/campaigns?limit=99999999999",
                "/campaigns?limit=10001", "/campaigns?limit=1e3", "/campaigns?limit=%00", "/campaigns?limit=1&limit=2",
                "/campaigns?limit=%zz", "/campaigns?%zz=1", "/campaigns?status=bogus", "/campaigns?status=%00",
                "/campaigns?status=" + "a".repeat(3000), "/campaigns?status=active&status=paused",
                "/events?status=bogus", "/events?limit=1.5", "/events?limit=" + "9".repeat(500), "/events?status=pending%00",
                "/earnings?campaign_id=abc", "/earnings?campaign_id=-5", "/earnings?campaign_id=0", "/earnings?campaign_id=1&campaign_id=2",
                "/earnings?customer_id=%00", "/earnings?customer_id=" + "c".repeat(300), "/earnings?customer_id=a%0Ab",
                "/earnings?limit=abc");
        for (String target : domain) {
            cases.add(plain(Service.DOMAIN, "GET", target));
        }
        String file = "[{\"amount\": 1, \"external_id\": \"query-never-stored\"}]";
        for (String query : List.of("concurrency=abc", "concurrency=0", "concurrency=257", "concurrency=-1", "concurrency=99999999999",
                "concurrency=1.5", "concurrency=", "concurrency=1&concurrency=2", "wait=maybe", "wait=1", "wait=true&wait=false",
                "name=%00", "name=a%0Ab", "name=" + "n".repeat(1500), "name=a&name=b", "concurrency=%zz")) {
            if (query.equals("concurrency=")) {
                continue; // an empty value means the default: not hostile
            }
            cases.add(new Case("/agents/event-batches?" + abbreviate(query), Service.AGENTS, "POST", bytes("/agents/event-batches?" + query),
                    Map.of("Content-Type", "application/json"), bytes(file), true));
        }
        for (String query : List.of("dry_run=maybe", "dry_run=1", "dry_run=true&dry_run=false", "dry_run=%00")) {
            cases.add(new Case("/agents/campaigns?" + query, Service.AGENTS, "POST", bytes("/agents/campaigns?" + query),
                    Map.of("Content-Type", "application/json"), bytes("{\"name\": \"query-never-stored\"}"), true));
        }
    }

    /** Framing and header tricks: conflicting lengths, bad encodings, oversized or malformed headers. */
    private static void headers(List<Case> cases) {
        String body = "{\"name\": \"header-never-stored\"}";
        List<Map<String, String>> tricks = List.of(
                Map.of("Content-Type", "application/json", "Content-Length", "abc"),
                Map.of("Content-Type", "application/json", "Content-Length", "-1"),
                Map.of("Content-Type", "application/json", "Content-Length", "99999999999999999999"),
                Map.of("Content-Type", "application/json", "Content-Length", body.length() + ", " + (body.length() + 1)),
                Map.of("Content-Type", "application/json", "Transfer-Encoding", "gzip"),
                Map.of("Content-Type", "application/json", "Transfer-Encoding", "chunked", "Content-Length", "5"),
                Map.of("Content-Type", "application/json", "Content-Encoding", "gzip", "Content-Length", Integer.toString(body.length())),
                Map.of("Content-Type", "application/json", "X-Big", "h".repeat(20_000)),
                Map.of("Content-Type", "application/json", "Bad Header", "x"),
                Map.of("Content-Type", "application/json", "X-Nul", "a\u0000b"),
                Map.of("Content-Type", "application/json", "Idempotency-Key", ""),
                Map.of("Content-Type", "application/json", "Idempotency-Key", "k".repeat(5000)),
                Map.of("Content-Type", "application/json", "Idempotency-Key", "a\u0001b"));
        for (Map<String, String> trick : tricks) {
            String name = "headers " + abbreviate(trick.toString().replace("\u0000", "\\0"));
            cases.add(new Case(name, Service.DOMAIN, "POST", bytes("/campaigns"), trick, bytes(body), true));
        }
        cases.add(new Case("malformed chunk size", Service.DOMAIN, "POST", bytes("/events"),
                Map.of("Content-Type", "application/json", "Transfer-Encoding", "chunked"), bytes("zz\r\n{}\r\n0\r\n\r\n"), true));
        cases.add(new Case("chunk longer than said", Service.DOMAIN, "POST", bytes("/events"),
                Map.of("Content-Type", "application/json", "Transfer-Encoding", "chunked"), bytes("2\r\n{\"amount\": 1}\r\n0\r\n\r\n"), true));
        cases.add(new Case("Host header missing a value", Service.AI, "GET", bytes("/providers"), Map.of("Host", ""), null, true));
        cases.add(new Case("two Idempotency-Keys", Service.DOMAIN, "POST", bytes("/events"),
                Map.of("Content-Type", "application/json", "Idempotency-Key", "a\r\nIdempotency-Key: b"), bytes("{\"amount\": 1}"), true));
    }

    /** Every route that needs credentials, asked without them or with wrong ones. */
    private static void credentials(List<Case> cases) {
        List<String[]> domainRoutes = List.of(new String[] {"GET", "/campaigns"}, new String[] {"POST", "/campaigns"},
                new String[] {"GET", "/campaigns/1"}, new String[] {"PATCH", "/campaigns/1"}, new String[] {"GET", "/campaigns/1/rules"},
                new String[] {"POST", "/campaigns/1/rules"}, new String[] {"POST", "/events"}, new String[] {"GET", "/events"},
                new String[] {"POST", "/events/batch"}, new String[] {"POST", "/events/explain"}, new String[] {"POST", "/events/outcomes"},
                new String[] {"GET", "/events/1"}, new String[] {"POST", "/rules/backtest"}, new String[] {"GET", "/earnings"});
        List<String> wrong = List.of("", "Basic", "Basic !!!", "Basic " + Base64.getEncoder().encodeToString(bytes("admin")),
                "Bearer " + TOKEN, "Basic " + "A".repeat(8000));
        for (String[] route : domainRoutes) {
            cases.add(new Case("no credentials", Service.DOMAIN, route[0], bytes(route[1]), Map.of("Content-Type", "application/json"),
                    bytes("{\"name\": \"auth-never-stored\", \"amount\": 1}"), false));
            for (String header : wrong) {
                cases.add(new Case("Authorization '" + abbreviate(header) + "'", Service.DOMAIN, route[0], bytes(route[1]),
                        Map.of("Authorization", header, "Content-Type", "application/json"), bytes("{\"name\": \"x\", \"amount\": 1}"), false));
            }
        }
        for (String[] route : List.of(new String[] {"GET", "/providers"}, new String[] {"POST", "/generate"},
                new String[] {"POST", "/cache/clear"}, new String[] {"GET", "/cache/health"}, new String[] {"GET", "/v1/models"},
                new String[] {"POST", "/v1/chat/completions"}, new String[] {"POST", "/v1/keys"}, new String[] {"GET", "/v1/keys/1"},
                new String[] {"GET", "/v1/keys/1/usage"})) {
            cases.add(new Case("no token", Service.AI, route[0], bytes(route[1]), Map.of("Content-Type", "application/json"),
                    bytes("{\"prompt\": \"x\"}"), false));
            for (String header : List.of("Bearer wrong", "Bearer", "Basic " + TOKEN, "bearer  " + TOKEN + "x", "Bearer " + "t".repeat(8000),
                    "Bearer sk-cc-not-a-key", "Bearer sk-cc-" + "k".repeat(300))) {
                cases.add(new Case("Authorization '" + abbreviate(header) + "'", Service.AI, route[0], bytes(route[1]),
                        Map.of("Authorization", header, "Content-Type", "application/json"), bytes("{\"prompt\": \"x\"}"), false));
            }
        }
        for (String[] route : List.of(new String[] {"POST", "/agents/event-batches"}, new String[] {"GET", "/agents/runs/x"},
                new String[] {"POST", "/agents/campaigns"})) {
            cases.add(new Case("no credentials", Service.AGENTS, route[0], bytes(route[1]), Map.of("Content-Type", "application/json"),
                    bytes("[{\"amount\": 1}]"), false));
            cases.add(new Case("wrong password", Service.AGENTS, route[0], bytes(route[1]),
                    Map.of("Authorization", HttpJson.basic("admin", "wrong"), "Content-Type", "application/json"), bytes("[{\"amount\": 1}]"), false));
        }
    }

    /** Known paths with methods they do not take. */
    private static void methods(List<Case> cases) {
        for (String method : List.of("DELETE", "PUT", "FOO", "TRACE")) {
            cases.add(plain(Service.DOMAIN, method, "/campaigns"));
            cases.add(plain(Service.DOMAIN, method, "/events/" + event));
            cases.add(plain(Service.DOMAIN, method, "/health"));
            cases.add(plain(Service.AI, method, "/generate"));
            cases.add(plain(Service.AI, method, "/cache/clear"));
            cases.add(plain(Service.AI, method, "/v1/chat/completions"));
            cases.add(plain(Service.AGENTS, method, "/agents/event-batches"));
            cases.add(plain(Service.AGENTS, method, "/agents/runs/x"));
        }
        cases.add(plain(Service.DOMAIN, "POST", "/health"));
        cases.add(plain(Service.DOMAIN, "POST", "/health/live"));
        cases.add(plain(Service.DOMAIN, "POST", "/health/ready"));
        cases.add(plain(Service.DOMAIN, "POST", "/earnings"));
        cases.add(plain(Service.DOMAIN, "POST", "/customers/C1/balance"));
        cases.add(plain(Service.DOMAIN, "POST", "/customers/C1/ledger"));
        cases.add(plain(Service.DOMAIN, "GET", "/customers/C1/redemptions"));
        cases.add(plain(Service.DOMAIN, "GET", "/customers/C1/adjustments"));
        cases.add(plain(Service.DOMAIN, "GET", "/redemptions/1/reverse"));
        cases.add(plain(Service.DOMAIN, "POST", "/redemptions/999999/reverse"));
        cases.add(plain(Service.DOMAIN, "POST", "/redemptions/abc/reverse"));
        cases.add(plain(Service.DOMAIN, "GET", "/ledger/verify"));
        cases.add(plain(Service.DOMAIN, "GET", "/ledger/expire"));
        cases.add(plain(Service.DOMAIN, "GET", "/events/" + event + "/refunds"));
        cases.add(plain(Service.DOMAIN, "POST", "/events/99999999/refunds"));
        cases.add(plain(Service.AI, "POST", "/health/ready"));
        cases.add(plain(Service.AI, "POST", "/health/live"));
        cases.add(plain(Service.AI, "POST", "/health"));
        cases.add(plain(Service.AI, "GET", "/generate"));
        cases.add(plain(Service.AI, "POST", "/providers"));
        cases.add(plain(Service.AI, "POST", "/cache/health"));
        cases.add(plain(Service.AI, "GET", "/cache/clear"));
        cases.add(plain(Service.AGENTS, "POST", "/health"));
        cases.add(plain(Service.AGENTS, "POST", "/health/live"));
        cases.add(plain(Service.AGENTS, "POST", "/health/ready"));
        cases.add(plain(Service.AGENTS, "GET", "/agents/campaigns"));
    }

    // ---- helpers ----

    private static Case json(Endpoint e, String name, String body) {
        return jsonBytes(e, name, bytes(body));
    }

    private static Case jsonBytes(Endpoint e, String name, byte[] body) {
        return new Case(name, e.service(), e.method(), bytes(e.path()), Map.of("Content-Type", "application/json"), body, true);
    }

    private static Case plain(Service service, String method, String target) {
        return new Case(abbreviate(target), service, method, bytes(target), Map.of(), null, true);
    }

    /** {@code body} with {@code field} set to the raw JSON text {@code value}, which need not be valid JSON. */
    private static String with(String body, String field, String value) {
        ObjectNode rest = (ObjectNode) Json.tree(body);
        rest.remove(field);
        String others = Json.write(rest);
        return "{\"" + field + "\": " + value + (rest.isEmpty() ? "}" : ", " + others.substring(1));
    }

    private static String nested(String open, int depth, String inside, String close) {
        return open.repeat(depth) + inside + close.repeat(depth);
    }

    private static String padded(int size) {
        StringBuilder out = new StringBuilder("{\"name\": \"");
        out.append("p".repeat(Math.max(0, size - out.length() - 2)));
        return out.append("\"}").toString();
    }

    private static byte[] chunked(String body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] bytes = bytes(body);
        for (int at = 0; at < bytes.length; at += 8192) {
            int size = Math.min(8192, bytes.length - at);
            out.writeBytes(bytes(Integer.toHexString(size) + "\r\n"));
            out.write(bytes, at, size);
            out.writeBytes(bytes("\r\n"));
        }
        out.writeBytes(bytes("0\r\n\r\n"));
        return out.toByteArray();
    }

    private static String path(Case c) {
        String target = new String(c.target(), StandardCharsets.ISO_8859_1);
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static String abbreviate(String text) {
        String oneLine = text.replace("\r", "\\r").replace("\n", "\\n");
        return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 40) + "…(" + oneLine.length() + " chars)";
    }
}
