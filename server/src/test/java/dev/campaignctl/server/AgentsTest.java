package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.campaignctl.core.agent.CampaignAgent;
import dev.campaignctl.core.agent.CampaignSpec;
import dev.campaignctl.core.agent.EventAgent;
import dev.campaignctl.core.agent.EventFile;
import dev.campaignctl.core.ai.AiConfig;
import dev.campaignctl.core.ai.AiGateway;
import dev.campaignctl.core.ai.LocalAiApi;
import dev.campaignctl.core.api.LocalDomainApi;
import dev.campaignctl.core.client.HttpAiApi;
import dev.campaignctl.core.client.HttpDomainApi;
import dev.campaignctl.core.config.Authenticator;
import dev.campaignctl.core.config.ConfigurationStore;
import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.testing.FakeLlmServer;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The event and campaign agents, in-process and against services over HTTP, including an outage. */
class AgentsTest {

    private static final String PASSWORD = "agents-" + System.nanoTime();
    private static Database db;
    private static Authenticator auth;

    @BeforeAll
    static void setUp() {
        db = TestDatabases.fresh();
        auth = new ConfigurationStore(db.dataSource()).authenticator(new Credentials("admin", PASSWORD));
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    /** {@code count} NDJSON records, every 100th missing its amount; ids carry {@code prefix}. */
    static byte[] ndjson(String prefix, int count, boolean externalIds) {
        StringBuilder out = new StringBuilder();
        Random random = new Random(3);
        for (int i = 0; i < count; i++) {
            String id = externalIds ? "\"external_id\": \"" + prefix + i + "\", " : "";
            if (i % 100 == 99) {
                out.append("{").append(id).append("\"merchant_id\": \"M\"}\n");
            } else {
                out.append("{").append(id).append("\"merchant_id\": \"").append(prefix).append("\", \"customer_id\": \"C")
                        .append(random.nextInt(50)).append("\", \"amount\": ").append(1 + random.nextInt(500))
                        .append(", \"transaction_data\": {\"n\": ").append(i).append("}}\n");
            }
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static EventAgent.Options options(boolean wait) {
        return new EventAgent.Options(8, 250, Duration.ofSeconds(60), wait, Duration.ofSeconds(60));
    }

    @Test
    void tenThousandEventsWithOnePercentInvalidGiveExactCountsAndARerunAddsNothing() throws Exception {
        byte[] file = ndjson("inproc-", 10_000, false);
        LocalDomainApi domain = new LocalDomainApi(db, null, false);

        EventAgent.Summary first = new EventAgent(domain, options(false)).run(EventFile.parse(file), EventAgent.Progress.NONE);
        EventAgent.Summary second = new EventAgent(domain, options(false)).run(EventFile.parse(file), EventAgent.Progress.NONE);

        assertThat(first.records()).isEqualTo(10_000);
        assertThat(first.invalid()).isEqualTo(100);
        assertThat(first.invalidRecords().get(0).line()).isEqualTo(100);
        assertThat(first.invalidRecords().get(0).field()).isEqualTo("amount");
        assertThat(first.registered()).isEqualTo(9_900);
        assertThat(first.failed()).isZero();
        assertThat(second.registered()).isZero();
        assertThat(second.duplicates()).isEqualTo(9_900);
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE merchant_id = 'inproc-'")).isEqualTo(9_900);
    }

    @Test
    void identicalPurchasesOnTwoLinesAreTwoEventsAndARerunOfTheFileAddsNone() throws Exception {
        byte[] file = ("{\"merchant_id\": \"twins-\", \"customer_id\": \"C1\", \"amount\": 20}\n"
                + "{\"merchant_id\": \"twins-\", \"customer_id\": \"C1\", \"amount\": 20}\n"
                + "{\"external_id\": \"twins-own\", \"merchant_id\": \"twins-\", \"amount\": 20}\n").getBytes(StandardCharsets.UTF_8);
        LocalDomainApi domain = new LocalDomainApi(db, null, false);

        EventAgent.Summary first = new EventAgent(domain, options(false)).run(EventFile.parse(file, "twins.ndjson"), EventAgent.Progress.NONE);
        EventAgent.Summary again = new EventAgent(domain, options(false)).run(EventFile.parse(file, "twins.ndjson"), EventAgent.Progress.NONE);
        EventAgent.Summary otherFile = new EventAgent(domain, options(false)).run(EventFile.parse(file, "twins-2.ndjson"), EventAgent.Progress.NONE);

        assertThat(first.registered()).isEqualTo(3);
        assertThat(again.registered()).isZero();
        assertThat(again.duplicates()).isEqualTo(3);
        assertThat(otherFile.registered()).as("the same purchases in another file are other purchases").isEqualTo(2);
        assertThat(otherFile.duplicates()).as("its own external_id is the record's key wherever it is").isEqualTo(1);
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE merchant_id = 'twins-'")).isEqualTo(5);
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE external_id = 'twins-own'")).isEqualTo(1);
    }

    @Test
    void theAgentsServiceKeysAFileByTheNameItIsSentUnder() {
        LocalDomainApi domain = new LocalDomainApi(db, null, false);
        String file = "{\"merchant_id\": \"named-\", \"amount\": 3}\n{\"merchant_id\": \"named-\", \"amount\": 3}\n";
        try (AgentsServer server = AgentsServer.start("127.0.0.1", 0, domain, null, auth)) {
            TestClient http = new TestClient(server.port(), "admin", PASSWORD);
            for (String name : List.of("named.ndjson", "named.ndjson", "renamed.ndjson")) {
                TestClient.Reply started = http.send("POST", "/agents/event-batches?name=" + name, file, "application/x-ndjson");
                assertThat(started.status()).isEqualTo(202);
                String run = "/agents/runs/" + started.body().get("run_id").asText();
                await().atMost(Duration.ofSeconds(30)).until(() -> !http.get(run).body().get("status").asText().equals("running"));
            }
        }
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE merchant_id = 'named-'")).isEqualTo(4);
    }

    @Test
    void theRunSurvivesTheDomainServiceGoingDownAndComingBack() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        LocalDomainApi local = new LocalDomainApi(db, null, false);
        DomainServer first = DomainServer.start("127.0.0.1", port, local, auth);
        HttpDomainApi remote = new HttpDomainApi(URI.create("http://127.0.0.1:" + port), "admin", PASSWORD);
        EventFile file = EventFile.parse(ndjson("outage-", 10_000, true));
        EventAgent agent = new EventAgent(remote, new EventAgent.Options(4, 100, Duration.ofSeconds(60), false, Duration.ofSeconds(5)));

        CompletableFuture<EventAgent.Summary> run = CompletableFuture.supplyAsync(() -> {
            try {
                return agent.run(file, EventAgent.Progress.NONE);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (Sql.count(db, "SELECT count(*) FROM events WHERE merchant_id = 'outage-'") < 1000 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        first.close();
        Thread.sleep(1500);
        DomainServer second = DomainServer.start("127.0.0.1", port, local, auth);
        try {
            EventAgent.Summary summary = run.get();

            assertThat(summary.failed()).isZero();
            assertThat(summary.registered() + summary.duplicates()).isEqualTo(9_900);
            assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE merchant_id = 'outage-'")).isEqualTo(9_900);
            assertThat(Sql.count(db, "SELECT count(DISTINCT external_id) FROM events WHERE merchant_id = 'outage-'")).isEqualTo(9_900);
        } finally {
            second.close();
        }
    }

    @Test
    void waitingForProcessingSummarisesMatchesAndEarnings() throws Exception {
        // A database of its own: other tests' catch-all rules would pay these events too.
        Database db = TestDatabases.fresh();
        LocalDomainApi domain = new LocalDomainApi(db, null, true);
        long campaign = domain.createCampaign(dev.campaignctl.core.campaign.NewCampaign.of("agent wait")).id();
        domain.addRule(campaign, new dev.campaignctl.core.rule.NewRule(null, 0,
                dev.campaignctl.core.json.Json.tree("{\"merchant_id\": \"wait-\"}"), dev.campaignctl.core.rule.Reward.parse("fixed:2")));
        try (EventProcessor processor = new EventProcessor(db, EventProcessor.Settings.defaults())) {
            processor.start();
            EventAgent.Summary summary = new EventAgent(new LocalDomainApi(db, processor, false), options(true))
                    .run(EventFile.parse(ndjson("wait-", 500, true)), EventAgent.Progress.NONE);

            assertThat(summary.outcomes()).isNotNull();
            assertThat(summary.outcomes().pending()).isZero();
            assertThat(summary.outcomes().processed()).isEqualTo(495);
            assertThat(summary.outcomes().earnings()).isEqualTo(495);
            assertThat(summary.outcomes().points()).isEqualByComparingTo("990");
        } finally {
            domain.close();
        }
    }

    @Test
    void aCampaignIsCreatedWithAnAiDescriptionOrATemplateWhenTheAiServiceIsDown() throws Exception {
        String spec = """
                name: Spring Sale 2024
                starts_at: "2024-03-01T00:00:00Z"
                budget_total: 5000
                rules:
                  - name: shoes
                    priority: 10
                    conditions: {transaction_data.items.category: shoes}
                    reward: {type: percentage, value: 5}
                  - conditions: {merchant_id: MERCHANT_001}
                    reward: {type: fixed, value: 100}
                """;
        LocalDomainApi domain = new LocalDomainApi(db, null, false);
        try (FakeLlmServer openai = new FakeLlmServer(FakeLlmServer.Kind.OPENAI)) {
            LocalAiApi ai = new LocalAiApi(AiGateway.fromConfig(AiConfig.fromEnv(java.util.Map.of(
                    "OPENAI_API_KEY", FakeLlmServer.KEY, "OPENAI_BASE_URL", openai.baseUrl()))), true);
            CampaignAgent.Result withAi = new CampaignAgent(domain, ai).create(CampaignSpec.parse(spec.getBytes()), false);
            assertThat(withAi.descriptionSource()).isEqualTo("ai");
            assertThat(withAi.warning()).isNull();
            assertThat(withAi.campaign().description()).startsWith("answer to: Write a short, upbeat description");
            assertThat(openai.received().get(0).body().at("/messages/0/content").asText()).contains("Spring Sale 2024", "5% back");
            assertThat(domain.listRules(withAi.campaign().id())).hasSize(2);
        }

        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        CampaignAgent.Result fallback = new CampaignAgent(domain, new HttpAiApi(URI.create("http://127.0.0.1:" + closed), null))
                .create(CampaignSpec.parse(spec.getBytes()), false);
        assertThat(fallback.descriptionSource()).isEqualTo("template");
        assertThat(fallback.warning()).contains("AI service unavailable");
        assertThat(fallback.campaign().description()).startsWith("Spring Sale 2024: earn 5% back in points");

        CampaignAgent.Result dry = new CampaignAgent(domain, null).create(CampaignSpec.parse(spec.getBytes()), true);
        assertThat(dry.campaign()).isNull();
        assertThat(dry.planned().name()).isEqualTo("Spring Sale 2024");
    }

    @Test
    void theAgentsPassTheCallersRequestIdOnToTheDomainService() throws Exception {
        java.util.logging.Logger access = java.util.logging.Logger.getLogger("campaignctl.access");
        java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Level before = access.getLevel();
        access.setLevel(java.util.logging.Level.INFO);
        access.addHandler(capture);
        try (DomainServer domainServer = DomainServer.start("127.0.0.1", 0, new LocalDomainApi(db, null, false), auth);
             AgentsServer agents = AgentsServer.start("127.0.0.1", 0,
                     new HttpDomainApi(URI.create("http://127.0.0.1:" + domainServer.port()), "admin", PASSWORD), null, auth)) {
            TestClient http = new TestClient(agents.port(), "admin", PASSWORD);
            TestClient.Reply created = http.send("POST", "/agents/campaigns", "{\"name\": \"traced\"}", "application/json",
                    java.util.Map.of("X-Request-Id", "trace-agents-1"));

            assertThat(created.status()).isEqualTo(201);
            // The access line is written once the response has gone out, so it may trail the reply.
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
            while (lines.stream().noneMatch(line -> line.startsWith("agents POST")) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(lines).anyMatch(line -> line.startsWith("agents POST /agents/campaigns 201") && line.endsWith("request_id=trace-agents-1"));
            assertThat(lines).anyMatch(line -> line.startsWith("domain POST /campaigns 201") && line.endsWith("request_id=trace-agents-1"));
        } finally {
            access.removeHandler(capture);
            access.setLevel(before);
        }
    }

    @Test
    void aSpecWithAnInvalidRuleCreatesNothingAndSaysWhere() {
        long before = Sql.count(db, "SELECT count(*) FROM campaigns");
        String spec = "{\"name\": \"broken\", \"rules\": [{\"conditions\": {}, \"reward\": {\"type\": \"fixed\", \"value\": 1}},"
                + " {\"conditions\": {\"amount\": {\"$gtx\": 1}}, \"reward\": {\"type\": \"fixed\", \"value\": 1}}]}";

        assertThatThrownBy(() -> CampaignSpec.parse(spec.getBytes()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("rules[1].conditions.amount.$gtx"));
        TestClient http;
        try (DomainServer server = DomainServer.start("127.0.0.1", 0, new LocalDomainApi(db, null, false), auth)) {
            http = new TestClient(server.port(), "admin", PASSWORD);
            TestClient.Reply reply = http.post("/campaigns", spec);
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.body().get("field").asText()).isEqualTo("rules[1].conditions.amount.$gtx");
        }
        assertThat(Sql.count(db, "SELECT count(*) FROM campaigns")).isEqualTo(before);
    }

    @Test
    void theAgentsServiceRunsBatchesThatSurviveTheClientAndCreatesCampaigns() throws Exception {
        LocalDomainApi domain = new LocalDomainApi(db, null, false);
        try (AgentsServer server = AgentsServer.start("127.0.0.1", 0, domain, null, auth)) {
            TestClient http = new TestClient(server.port(), "admin", PASSWORD);
            assertThat(http.as(null, null).get("/health").body().at("/dependencies/domain").asText()).isEqualTo("healthy");
            assertThat(http.as(null, null).post("/agents/campaigns", "{}").status()).isEqualTo(401);

            TestClient.Reply started = http.send("POST", "/agents/event-batches",
                    new String(ndjson("service-", 2_000, true), StandardCharsets.UTF_8), "application/x-ndjson");
            assertThat(started.status()).isEqualTo(202);
            String id = started.body().get("run_id").asText();
            assertThat(started.body().get("invalid").asInt()).isEqualTo(20);

            TestClient.Reply status = http.get("/agents/runs/" + id);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (status.body().get("status").asText().equals("running") && System.nanoTime() < deadline) {
                Thread.sleep(20);
                status = http.get("/agents/runs/" + id);
            }
            assertThat(status.body().get("status").asText()).isEqualTo("completed");
            assertThat(status.body().at("/summary/registered").asLong()).isEqualTo(1_980);
            assertThat(http.get("/agents/runs/nope").status()).isEqualTo(404);

            TestClient.Reply created = http.post("/agents/campaigns", "{\"name\": \"via agents\", \"rules\": [{\"conditions\": {},"
                    + " \"reward\": {\"type\": \"fixed\", \"value\": 1}}]}");
            assertThat(created.status()).isEqualTo(201);
            assertThat(created.body().get("description_source").asText()).isEqualTo("template");
            assertThat(created.body().get("warning").asText()).contains("AI service unavailable");
        }
    }
}
