package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.db.DbConfig;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.testing.ScriptedHttpServer;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import dev.campaignctl.server.ServeOptions;
import dev.campaignctl.server.Services;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code --all} on the list commands: 25,000 events and 25,000 earnings (inserted set-based) printed
 * whole, each once and in order, against a running service (following its Link headers) and
 * in-process (the same cursor), in every output format; rows are printed as pages arrive.
 */
class CliPaginationTest {

    private static final String PASSWORD = "pages-" + System.nanoTime();
    private static final int ROWS = 25_000;
    private static Services services;
    private static Database db;
    private static String url;
    private static Map<String, String> remote;
    private static Map<String, String> inProcess;
    private static long campaign;

    @BeforeAll
    static void start() throws Exception {
        String dbUrl = TestDatabases.newDatabaseUrl();
        Path dataDir = Files.createTempDirectory("campaignctl-pages");
        services = Services.startDomain(new ServeOptions(DbConfig.external(dbUrl, "postgres", null), dataDir, "127.0.0.1", 0,
                new Credentials("admin", PASSWORD), EventProcessor.Settings.defaults(), true), new PrintWriter(new StringWriter()));
        url = "http://127.0.0.1:" + services.domainPort();
        db = Database.open(DbConfig.external(dbUrl, "postgres", null));
        remote = Map.of("CAMPAIGNCTL_HOME", dataDir.toString(), "API_PASSWORD", PASSWORD);
        inProcess = Map.of("CAMPAIGNCTL_HOME", Files.createTempDirectory("campaignctl-pages-local").toString(),
                "DB_URL", dbUrl, "DB_USER", "postgres");
        Sql.execute(db, "INSERT INTO campaigns (name) VALUES ('Paged CLI')");
        campaign = Sql.count(db, "SELECT id FROM campaigns WHERE name = 'Paged CLI'");
        Sql.execute(db, "INSERT INTO campaign_rules (campaign_id, priority, conditions, reward_type, reward_value)"
                + " VALUES (" + campaign + ", 1, '{\"merchant_id\": \"NONE\"}', 'fixed', 1)");
        long rule = Sql.count(db, "SELECT id FROM campaign_rules WHERE campaign_id = " + campaign);
        Sql.execute(db, "INSERT INTO events (customer_id, merchant_id, amount, status, matched_rule_id, processed_at)"
                + " SELECT 'C' || (g % 5), 'PAGED', g, CASE WHEN g % 2 = 0 THEN 'processed' ELSE 'skipped' END,"
                + " CASE WHEN g % 2 = 0 THEN " + rule + " END, now() FROM generate_series(1, " + ROWS + ") g");
        Sql.execute(db, "INSERT INTO earnings (event_id, campaign_id, rule_id, customer_id, amount)"
                + " SELECT id, " + campaign + ", " + rule + ", customer_id, 1 FROM events ORDER BY id");
    }

    @AfterAll
    static void stop() {
        services.close();
        db.close();
    }

    private static CliRun remote(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", url));
        return CliRun.run(remote, all.toArray(String[]::new));
    }

    private static CliRun local(String... args) {
        return CliRun.run(inProcess, args);
    }

    private static List<Long> ids(JsonNode array) {
        assertThat(array.isArray()).isTrue();
        List<Long> ids = new ArrayList<>();
        array.forEach(item -> ids.add(item.get("id").asLong()));
        return ids;
    }

    private static List<Long> ids(String query) {
        List<Long> ids = new ArrayList<>();
        try (var connection = db.connection(); var statement = connection.createStatement(); var rs = statement.executeQuery(query)) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    @Test
    void allEventsAndEarningsByLinkEachOnceInOrder() {
        CliRun events = remote("event", "list", "--all", "--limit", "1000", "-o", "json");
        assertThat(events.code()).as(events.err()).isZero();
        assertThat(ids(events.json())).hasSize(ROWS).isEqualTo(ids("SELECT id FROM events ORDER BY id DESC"));

        CliRun earnings = remote("earnings", "list", "--all", "--limit", "999", "-o", "json");
        assertThat(earnings.code()).as(earnings.err()).isZero();
        assertThat(ids(earnings.json())).hasSize(ROWS).isEqualTo(ids("SELECT id FROM earnings ORDER BY id"));
        assertThat(earnings.out()).as("the same text as one page printed whole")
                .isEqualTo(Json.pretty(earnings.json()) + System.lineSeparator());
    }

    @Test
    void allEventsAndEarningsInProcessEachOnceInOrder() {
        CliRun events = local("event", "list", "--all", "--limit", "2000", "-o", "json");
        assertThat(events.code()).as(events.err()).isZero();
        assertThat(ids(events.json())).isEqualTo(ids("SELECT id FROM events ORDER BY id DESC"));

        CliRun earnings = local("earnings", "list", "--all", "--limit", "10000", "-o", "json");
        assertThat(earnings.code()).as(earnings.err()).isZero();
        assertThat(ids(earnings.json())).isEqualTo(ids("SELECT id FROM earnings ORDER BY id"));
    }

    @Test
    void filtersHoldOnEveryPage() {
        CliRun skipped = remote("event", "list", "--all", "--status", "skipped", "--limit", "700", "-o", "json");
        assertThat(ids(skipped.json())).isEqualTo(ids("SELECT id FROM events WHERE status = 'skipped' ORDER BY id DESC"));
        CliRun c3 = local("earnings", "list", "--all", "--customer", "C3", "--campaign", String.valueOf(campaign),
                "--limit", "300", "-o", "json");
        assertThat(ids(c3.json())).hasSize(ROWS / 5).isEqualTo(ids("SELECT id FROM earnings WHERE customer_id = 'C3' ORDER BY id"));
    }

    @Test
    void withoutAllOnlyTheFirstPage() {
        assertThat(remote("event", "list", "--limit", "10", "-o", "json").json()).hasSize(10);
        assertThat(local("earnings", "list", "-o", "json").json()).hasSize(100);
    }

    @Test
    void aStreamedTableHasOneHeaderAndStableColumns() {
        CliRun table = remote("earnings", "list", "--all", "--limit", "4000", "-o", "table");
        assertThat(table.code()).as(table.err()).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines).hasSize(ROWS + 1);
        assertThat(lines.getFirst()).startsWith("ID").contains("EVENT_ID", "CAMPAIGN_ID", "CREATED_AT");
        assertThat(lines.stream().filter(line -> line.startsWith("ID "))).hasSize(1);
        int created = lines.getFirst().indexOf("CREATED_AT");
        assertThat(lines).allSatisfy(line -> assertThat(line.charAt(created - 1)).isEqualTo(' '));
        assertThat(lines.subList(1, lines.size())).extracting(line -> Long.parseLong(line.substring(0, line.indexOf(' '))))
                .isEqualTo(ids("SELECT id FROM earnings ORDER BY id"));

        CliRun quiet = local("event", "list", "--all", "--limit", "5000", "-q");
        assertThat(quiet.out().lines().map(Long::parseLong).toList()).isEqualTo(ids("SELECT id FROM events ORDER BY id DESC"));
    }

    @Test
    void aStreamedYamlIsOneSequence() throws Exception {
        for (int i = 0; i < 4; i++) {
            Sql.execute(db, "INSERT INTO campaigns (name, status) VALUES ('Yaml " + i + "', 'ended')");
        }
        CliRun yaml = remote("campaign", "list", "--all", "--status", "ended", "--limit", "3", "-o", "yaml");
        assertThat(yaml.code()).as(yaml.err()).isZero();
        JsonNode tree = Json.treeFromYaml(yaml.out().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(tree).hasSize(4);
        assertThat(yaml.out().split("---", -1)).as("one document").hasSize(2);
        CliRun none = local("campaign", "list", "--all", "--status", "draft", "-o", "yaml");
        assertThat(Json.treeFromYaml(none.out().getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEmpty();
        CliRun empty = remote("campaign", "list", "--all", "--status", "draft", "-o", "json");
        assertThat(empty.json()).isEmpty();
    }

    @Test
    void aStreamedWideTableTakesItsColumnsFromTheFirstItem() {
        for (int i = 0; i < 3; i++) {
            Sql.execute(db, "INSERT INTO campaigns (name, status) VALUES ('Wide " + i + "', 'paused')");
        }
        CliRun wide = local("campaign", "list", "--all", "--status", "paused", "--limit", "2", "-o", "wide");
        assertThat(wide.code()).as(wide.err()).isZero();
        List<String> lines = wide.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.getFirst()).startsWith("ID").contains("NAME", "BUDGET_SPENT", "CREATED_AT");
        assertThat(lines.subList(1, 4)).allSatisfy(line -> assertThat(line).contains("Wide ", "paused"));
        CliRun headless = remote("campaign", "list", "--all", "--status", "paused", "--limit", "1", "--no-headers", "-o", "table");
        assertThat(headless.out().lines()).hasSize(3).allSatisfy(line -> assertThat(line).contains("Wide "));
    }

    @Test
    void rulesAndTheLedgerPageToo() {
        for (int priority : new int[] {3, 9, 3, 1, 9}) {
            assertThat(local("rule", "add", "--campaign", String.valueOf(campaign), "--priority", String.valueOf(priority),
                    "--when", "{\"merchant_id\":\"X\"}", "--reward", "fixed:1", "-o", "json").code()).isZero();
        }
        List<Long> whole = ids(remote("rule", "list", "--campaign", String.valueOf(campaign), "-o", "json").json());
        assertThat(whole).hasSize(6);
        assertThat(ids(remote("rule", "list", "--campaign", String.valueOf(campaign), "--all", "--limit", "2", "-o", "json").json()))
                .isEqualTo(whole);
        assertThat(ids(local("rule", "list", "--campaign", String.valueOf(campaign), "--all", "--limit", "1", "-o", "json").json()))
                .isEqualTo(whole);

        for (int i = 0; i < 5; i++) {
            assertThat(local("customer", "adjust", "LEDGER-PAGED", "--points", "1", "--reason", "r" + i).code()).isZero();
        }
        List<Long> entries = ids(remote("customer", "ledger", "LEDGER-PAGED", "-o", "json").json());
        assertThat(entries).hasSize(5);
        assertThat(ids(remote("customer", "ledger", "LEDGER-PAGED", "--all", "--limit", "2", "-o", "json").json())).isEqualTo(entries);
    }

    @Test
    void rowsArePrintedAsTheirPageArrivesAndTheLinkIsFollowedAsSent() throws Exception {
        StringWriter out = new StringWriter();
        List<String> printedBeforeSecondPage = new ArrayList<>();
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> {
            if (index == 0) {
                return reply("[{\"id\": 41, \"status\": \"skipped\"}, {\"id\": 40, \"status\": \"skipped\"}]",
                        "Link: </events?status=skipped&limit=2&starting_after=40&token=abc%20d>; rel=\"next\"\r\n");
            }
            printedBeforeSecondPage.add(out.toString());
            return reply("[{\"id\": 39, \"status\": \"skipped\"}]", "");
        })) {
            int code = Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), remote,
                    "event", "list", "--all", "--status", "skipped", "--limit", "2", "-o", "json",
                    "--url", "http://127.0.0.1:" + server.port());
            assertThat(code).isZero();
            assertThat(server.requests).hasSize(2);
            assertThat(server.requests.get(0)).startsWith("GET /events?status=skipped&limit=2 HTTP/1.1");
            assertThat(server.requests.get(1)).startsWith("GET /events?status=skipped&limit=2&starting_after=40&token=abc%20d HTTP/1.1");
        }
        assertThat(printedBeforeSecondPage).singleElement().asString().contains("41", "40").doesNotContain("39");
        assertThat(ids(Json.tree(out.toString()))).containsExactly(41L, 40L, 39L);
    }

    @Test
    void aLinkToAnotherServerIsNotFollowed() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> reply("[{\"id\": 41}]",
                "Link: <http://elsewhere.example/events?starting_after=41>; rel=\"next\"\r\n"))) {
            CliRun run = CliRun.run(remote, "event", "list", "--all", "-o", "json", "--url", "http://127.0.0.1:" + server.port());
            assertThat(run.code()).isNotZero();
            assertThat(run.err()).contains("link outside");
            assertThat(server.requests).hasSize(1);
        }
    }

    private static String reply(String body, String headers) {
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + headers + "Content-Length: " + body.length()
                + "\r\n\r\n" + body;
    }
}
