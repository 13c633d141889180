package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.ai.AiConfig;
import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.testing.TestDatabases;
import dev.campaignctl.server.ServeOptions;
import dev.campaignctl.server.Services;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code campaignctl agent ...} in embedded mode and against running services. */
class CliAgentTest {

    private static String events(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> i == 3 ? "{\"merchant_id\": \"AG\"}" : "{\"merchant_id\": \"AG\", \"amount\": " + (i + 1) + "}")
                .collect(Collectors.joining("\n"));
    }

    @Test
    void batchEventsInEmbeddedModeReportsInvalidLinesWaitsAndIsIdempotent(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("CAMPAIGNCTL_HOME", dir.toString(), "DB_URL", TestDatabases.newDatabaseUrl(), "DB_USER", "postgres");
        CliRun.run(env, "campaign", "create", "--name", "agent cli");
        CliRun.run(env, "rule", "add", "--campaign", "1", "--when", "{\"merchant_id\": \"AG\"}", "--reward", "fixed:3");
        Path file = dir.resolve("events.ndjson");
        Files.writeString(file, events(50));

        CliRun first = CliRun.run(env, "agent", "batch-events", file.toString(), "--wait", "-o", "json");
        CliRun again = CliRun.run(env, "agent", "batch-events", file.toString(), "-o", "json");

        assertThat(first.code()).as(first.toString()).isEqualTo(ExitCodes.INVALID);
        assertThat(first.err()).contains("invalid: line 4: amount: is required");
        assertThat(first.json().get("registered").asInt()).isEqualTo(49);
        assertThat(first.json().at("/outcomes/processed").asInt()).isEqualTo(49);
        assertThat(first.json().at("/outcomes/points").decimalValue()).isEqualByComparingTo("147");
        assertThat(again.json().get("registered").asInt()).isZero();
        assertThat(again.json().get("duplicates").asInt()).isEqualTo(49);
    }

    @Test
    void aFileThatIsNotUtf8IsRefusedWithItsLineAndNothingIsRegistered(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("CAMPAIGNCTL_HOME", dir.toString(), "DB_URL", TestDatabases.newDatabaseUrl(), "DB_USER", "postgres");
        Path file = dir.resolve("latin1.ndjson");
        Files.write(file, "{\"amount\": 1, \"transaction_data\": {\"shop\": \"Caf\u00e9\"}}\n".repeat(2)
                .getBytes(StandardCharsets.ISO_8859_1));

        CliRun run = CliRun.run(env, "agent", "batch-events", file.toString(), "-o", "json");

        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCodes.INVALID);
        assertThat(run.err().strip()).isEqualTo("error: the file is not valid UTF-8 at line 1 (byte 47)");
        assertThat(CliRun.run(env, "event", "list", "-o", "json").json()).isEmpty();
    }

    @Test
    void createCampaignFromASpecAgainstServeAllFallsBackToTheTemplate(@TempDir Path dir) throws Exception {
        Path home = Files.createTempDirectory("campaignctl-agent");
        ServeOptions options = new ServeOptions(TestDatabases.config(), home, "127.0.0.1", 0,
                new Credentials("admin", "agent-pw"), EventProcessor.Settings.defaults(), true, 0,
                AiConfig.fromEnv(Map.of()), null, 0, null, null);
        try (Services services = Services.start(options, EnumSet.allOf(Services.Kind.class),
                new PrintWriter(new StringWriter()))) {
            Map<String, String> env = Map.of("CAMPAIGNCTL_HOME", home.toString(), "API_PASSWORD", "agent-pw");
            Path spec = dir.resolve("spring.yaml");
            Files.writeString(spec, """
                    name: Spring Sale 2024
                    rules:
                      - priority: 10
                        conditions: {merchant_id: MERCHANT_001}
                        reward: {type: fixed, value: 100}
                    """);

            CliRun dry = CliRun.run(env, "agent", "create-campaign", spec.toString(), "--dry-run", "-o", "table");
            assertThat(dry.code()).as(dry.toString()).isZero();
            assertThat(dry.out()).startsWith("would create: Spring Sale 2024 with 1 rule(s)");
            assertThat(CliRun.run(env, "campaign", "list", "-o", "json").json()).isEmpty();

            CliRun created = CliRun.run(env, "agent", "create-campaign", spec.toString(), "-o", "json");
            assertThat(created.code()).as(created.toString()).isZero();
            // serve all runs the AI service, but no provider is configured: the template is used, with a warning.
            assertThat(created.json().get("description_source").asText()).isEqualTo("template");
            assertThat(created.err()).contains("warning: AI service unavailable");
            assertThat(CliRun.run(env, "rule", "list", "--campaign", created.json().at("/campaign/id").asText(), "-o", "json").json())
                    .hasSize(1);

            Path bad = dir.resolve("bad.json");
            Files.writeString(bad, "{\"name\": \"bad\", \"rules\": [{\"conditions\": [], \"reward\": {\"type\": \"fixed\", \"value\": 1}}]}");
            CliRun refused = CliRun.run(env, "agent", "create-campaign", bad.toString());
            assertThat(refused.code()).isEqualTo(ExitCodes.INVALID);
            assertThat(refused.err()).contains("rules[0].conditions");
            assertThat(CliRun.run(env, "campaign", "list", "-o", "json").json()).hasSize(1);
        }
    }
}
