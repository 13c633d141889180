package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.db.DbConfig;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command tree in embedded mode: in-process on the database, no server anywhere. */
class CliInProcessTest {

    private static Map<String, String> env;

    @BeforeAll
    static void setUp() throws Exception {
        Path home = Files.createTempDirectory("campaignctl-cli");
        env = Map.of("CAMPAIGNCTL_HOME", home.toString(), "DB_URL", TestDatabases.newDatabaseUrl(), "DB_USER", "postgres");
    }

    private static CliRun cli(String... args) {
        return CliRun.run(env, args);
    }

    @Test
    void theQuickStartFlowWorksWithNoServer() {
        CliRun campaign = cli("campaign", "create", "--name", "Spring Sale 2024", "-o", "json");
        assertThat(campaign.code()).as(campaign.toString()).isZero();
        long campaignId = campaign.json().get("id").asLong();
        assertThat(campaign.json().get("status").asText()).isEqualTo("active");

        CliRun rule = cli("rule", "add", "--campaign", String.valueOf(campaignId), "--priority", "10",
                "--when", "{\"merchant_id\":\"MERCHANT_001\"}", "--reward", "fixed:100", "-o", "json");
        assertThat(rule.code()).as(rule.toString()).isZero();

        CliRun event = cli("event", "register", "--merchant", "MERCHANT_001", "--customer", "C1", "--amount", "150.00", "-o", "json");
        assertThat(event.code()).as(event.toString()).isZero();
        long eventId = event.json().get("id").asLong();

        CliRun got = cli("event", "get", String.valueOf(eventId), "-o", "json");
        assertThat(got.json().get("status").asText()).isEqualTo("processed");
        assertThat(got.json().get("matched_rule_id").asLong()).isEqualTo(rule.json().get("id").asLong());
        assertThat(got.json().get("earnings")).hasSize(1);

        CliRun earnings = cli("earnings", "list", "--customer", "C1", "-o", "json");
        assertThat(earnings.json()).hasSize(1);
        CliRun table = cli("campaign", "list", "-o", "table");
        assertThat(table.out()).contains("ID", "NAME", "Spring Sale 2024");
    }

    @Test
    void eachRegisterInvocationStoresItsEventUnderAKeyOfItsOwn() {
        CliRun first = cli("event", "register", "--merchant", "KEYED", "--amount", "4", "--no-process", "-o", "json");
        CliRun second = cli("event", "register", "--merchant", "KEYED", "--amount", "4", "--no-process", "-o", "json");

        assertThat(first.code()).as(first.toString()).isZero();
        assertThat(second.json().get("id").asLong()).as("the same command twice is two purchases").isNotEqualTo(first.json().get("id").asLong());
        try (Database db = Database.open(DbConfig.external(env.get("DB_URL"), "postgres", null))) {
            for (CliRun run : List.of(first, second)) {
                assertThat(Sql.count(db, "SELECT count(*) FROM idempotency_keys WHERE operation = 'register event'"
                        + " AND key ~ '^[0-9a-f-]{36}$' AND (response::json ->> 'id')::bigint = " + run.json().get("id").asLong()))
                        .isEqualTo(1);
            }
        }
    }

    @Test
    void registerWithNoProcessLeavesTheEventForProcessEvents() {
        CliRun event = cli("event", "register", "--merchant", "LATER", "--amount", "1", "--no-process", "-o", "json");
        assertThat(event.json().get("status").asText()).isEqualTo("pending");

        CliRun run = cli("process-events", "--until-empty", "-o", "json");
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.json().get("claimed").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(run.err()).contains("events:");
        String status = cli("event", "get", event.json().get("id").asText(), "-o", "json").json().get("status").asText();
        assertThat(status).isIn("processed", "skipped");
    }

    @Test
    void overlappingOneShotProcessingRunsAreRefusedWhileTheLockIsHeld() throws Exception {
        try (var db = Database.open(DbConfig.external(env.get("DB_URL"), "postgres", null));
             var held = new EventProcessor(db, EventProcessor.Settings.defaults())
                     .tryExclusiveRun()) {
            assertThat(held).isNotNull();
            CliRun refused = cli("process-events", "--until-empty");
            assertThat(refused.code()).isEqualTo(ExitCodes.CONFLICT);
            assertThat(refused.err()).contains("another process-events run holds the lock");
        }
        assertThat(cli("process-events", "--until-empty", "--max-time", "5").code()).isZero();
    }

    @Test
    void campaignStatusTransitionsAndTheirConflicts() {
        long id = cli("campaign", "create", "--name", "moves", "-o", "json").json().get("id").asLong();
        assertThat(cli("campaign", "pause", String.valueOf(id), "-o", "json").json().get("status").asText()).isEqualTo("paused");
        assertThat(cli("campaign", "activate", String.valueOf(id), "-o", "json").json().get("status").asText()).isEqualTo("active");
        assertThat(cli("campaign", "end", String.valueOf(id), "-o", "json").code()).isZero();

        CliRun again = cli("campaign", "activate", String.valueOf(id));
        assertThat(again.code()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(again.err()).contains("ended");
        CliRun rule = cli("rule", "add", "--campaign", String.valueOf(id), "--when", "{}", "--reward", "fixed:1");
        assertThat(rule.code()).isEqualTo(ExitCodes.CONFLICT);
    }

    @Test
    void errorsAreOneLineOnStderrWithTheirDocumentedExitCodes() {
        CliRun missing = cli("event", "get", "987654");
        assertThat(missing.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(missing.err().strip()).isEqualTo("error: event 987654 not found");
        assertThat(missing.out()).isEmpty();

        CliRun usage = cli("campaign", "create");
        assertThat(usage.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(usage.err()).contains("--name");

        CliRun unknown = cli("campaing", "list");
        assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("campaign");

        CliRun badReward = cli("rule", "add", "--campaign", "1", "--when", "{}", "--reward", "fixed:-5");
        assertThat(badReward.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(badReward.err()).contains("reward.value").contains("must not be negative");

        CliRun badJson = cli("rule", "add", "--campaign", "1", "--when", "{merchant", "--reward", "fixed:5");
        assertThat(badJson.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(badJson.err()).startsWith("error: when: is not valid JSON");

        CliRun negative = cli("event", "register", "--amount", "-1");
        assertThat(negative.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(negative.err()).contains("amount");
    }

    @Test
    void explainTestAndBacktestAnswerWithoutStoringAnything(@TempDir Path dir) throws Exception {
        long campaign = cli("campaign", "create", "--name", "Explained", "--budget", "1000", "-o", "json").json().get("id").asLong();
        long rule = cli("rule", "add", "--campaign", String.valueOf(campaign), "--priority", "700",
                "--when", "{\"transaction_data.items.category\": \"shoes\"}", "--reward", "percentage:10", "-o", "json")
                .json().get("id").asLong();
        long event = cli("event", "register", "--amount", "80", "--customer", "EX",
                "--data", "{\"items\": [{\"category\": \"shoes\"}]}", "-o", "json").json().get("id").asLong();

        CliRun explained = cli("event", "explain", String.valueOf(event), "-o", "json");
        assertThat(explained.code()).as(explained.toString()).isZero();
        assertThat(explained.json().get("stored_status").asText()).isEqualTo("processed");
        assertThat(explained.json().get("matched_rule_id").asLong()).isEqualTo(rule);

        Path file = dir.resolve("event.json");
        Files.writeString(file, "{\"amount\": 80, \"transaction_data\": {\"items\": [{\"category\": \"hats\"}]}}");
        CliRun tested = cli("rule", "test", "--event", file.toString(), "-o", "table");
        assertThat(tested.code()).as(tested.toString()).isZero();
        assertThat(tested.out()).contains("RULE_ID", "CONDITIONS_MATCHED");

        Path draft = dir.resolve("draft.json");
        Files.writeString(draft, "[{\"campaign_id\": " + campaign + ", \"conditions\": {\"amount\": {\"$gte\": 50}},"
                + " \"reward\": {\"type\": \"fixed\", \"value\": 1}}]");
        CliRun backtest = cli("rule", "backtest", "--rules", draft.toString(), "--since", "1h", "-o", "json");
        assertThat(backtest.code()).as(backtest.toString()).isZero();
        assertThat(backtest.json().get("events").asLong()).isPositive();
        assertThat(backtest.json().at("/draft/points_by_campaign/" + campaign).decimalValue()).isPositive();

        CliRun missing = cli("rule", "backtest", "--rules", dir.resolve("nope.json").toString());
        assertThat(missing.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(missing.err()).contains("cannot read");
    }

    @Test
    void versionAndHelpNeedNoDatabase() {
        CliRun version = CliRun.run(Map.of(), "version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).startsWith("campaignctl ");
        CliRun help = CliRun.run(Map.of(), "--help");
        assertThat(help.out()).contains("serve", "campaign", "process-events", "Exit codes");
    }
}
