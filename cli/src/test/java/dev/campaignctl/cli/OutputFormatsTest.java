package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every data command's machine-readable output parses and round-trips; -q, --no-headers and -f work. */
class OutputFormatsTest {

    private static Map<String, String> env;

    @BeforeAll
    static void setUp(@TempDir Path home) {
        env = Map.of("CAMPAIGNCTL_HOME", home.toString(), "DB_URL", TestDatabases.newDatabaseUrl(), "DB_USER", "postgres");
        CliRun.run(env, "campaign", "create", "--name", "Formats");
        CliRun.run(env, "rule", "add", "--campaign", "1", "--when", "{\"merchant_id\": \"F\"}", "--reward", "fixed:1");
        CliRun.run(env, "event", "register", "--merchant", "F", "--amount", "5", "--customer", "FC");
    }

    private static final List<List<String>> DATA_COMMANDS = List.of(
            List.of("campaign", "list"), List.of("campaign", "get", "1"), List.of("campaign", "update", "1", "--description", "d"),
            List.of("campaign", "activate", "1"), List.of("rule", "list", "--campaign", "1"),
            List.of("event", "list"), List.of("event", "get", "1"), List.of("event", "explain", "1"),
            List.of("earnings", "list"), List.of("ai", "providers"), List.of("ai", "cache", "health"));

    @Test
    void everyDataCommandPrintsJsonAndYamlThatRoundTrip() throws Exception {
        YAMLMapper yaml = new YAMLMapper();
        for (List<String> command : DATA_COMMANDS) {
            CliRun json = run(command, "-o", "json");
            assertThat(json.code()).as(command + "\n" + json).isZero();
            JsonNode parsed = json.json();
            assertThat(Json.tree(Json.write(parsed))).as(command.toString()).isEqualTo(parsed);
            // A second run may differ in values (updated_at moves), never in shape.
            JsonNode asYaml = yaml.readTree(run(command, "-o", "yaml").out());
            assertThat(shape(asYaml)).as(command.toString()).isEqualTo(shape(parsed));
        }
    }

    private static List<String> shape(JsonNode node) {
        JsonNode sample = node.isArray() && !node.isEmpty() ? node.get(0) : node;
        List<String> names = new ArrayList<>();
        sample.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void quietPrintsIdsAndNoHeadersDropsTheHeader() {
        assertThat(run(List.of("campaign", "get", "1"), "-q").out().strip()).isEqualTo("1");
        assertThat(run(List.of("campaign", "list"), "-q").out().lines()).contains("1").allMatch(line -> line.matches("\\d+"));
        assertThat(run(List.of("campaign", "list"), "-o", "table", "--no-headers").out()).doesNotContain("NAME").contains("Formats");
        assertThat(run(List.of("campaign", "list"), "-o", "wide").out()).contains("CREATED_AT", "UPDATED_AT");
    }

    @Test
    void createCommandsReadTheirBodyFromAFile(@TempDir Path dir) throws Exception {
        Path campaign = dir.resolve("campaign.yaml");
        Files.writeString(campaign, "name: From File\nbudget_total: 100\n");
        CliRun created = CliRun.run(env, "campaign", "create", "-f", campaign.toString(), "-o", "json");
        assertThat(created.code()).as(created.toString()).isZero();
        assertThat(created.json().get("budget_total").asInt()).isEqualTo(100);

        Path rule = dir.resolve("rule.json");
        Files.writeString(rule, "{\"priority\": 3, \"conditions\": {\"amount\": {\"$gt\": 1}}, \"reward\": {\"type\": \"fixed\", \"value\": 2}}");
        CliRun added = CliRun.run(env, "rule", "add", "--campaign", created.json().get("id").asText(), "-f", rule.toString(), "-q");
        assertThat(added.code()).as(added.toString()).isZero();
        assertThat(added.out().strip()).matches("\\d+");

        Path event = dir.resolve("event.json");
        Files.writeString(event, "{\"amount\": 9, \"external_id\": \"file-1\"}");
        assertThat(CliRun.run(env, "event", "register", "-f", event.toString(), "-o", "json").json().get("external_id").asText())
                .isEqualTo("file-1");
        CliRun missing = CliRun.run(env, "event", "register");
        assertThat(missing.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("--amount");
    }

    private static CliRun run(List<String> command, String... more) {
        String[] args = new String[command.size() + more.length];
        for (int i = 0; i < command.size(); i++) {
            args[i] = command.get(i);
        }
        System.arraycopy(more, 0, args, command.size(), more.length);
        return CliRun.run(env, args);
    }
}
