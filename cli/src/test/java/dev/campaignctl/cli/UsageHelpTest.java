package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.campaign.CampaignStatus;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Enum-typed options list their choices in help and completion, take them in any case, and refuse
 * any other word as a usage error naming them; help shows the exit codes and examples of the usage
 * bundle.
 */
class UsageHelpTest {

    private static CommandLine tree() {
        return CommandTree.full(new Cli(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(), false));
    }

    /** A command's help with its line breaks and indentation as single spaces, as help wraps at 80 columns. */
    private static String help(String... command) {
        CliRun run = CliRun.run(Map.of(), concat(command, "--help"));
        assertThat(run.code()).as(run.toString()).isZero();
        return run.out().replaceAll("\\s+", " ");
    }

    private static String[] concat(String[] words, String... more) {
        List<String> all = new ArrayList<>(List.of(words));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void helpListsTheChoicesOfEnumOptions() {
        assertThat(help("campaign", "list")).contains("--status=STATUS", "draft, active, paused, ended",
                "-o, --output=FORMAT", "table, wide, json, yaml");
        assertThat(help("campaign", "create")).contains("--evaluation=MODE", "first, all");
        assertThat(help("event", "list")).contains("pending, processed, skipped, failed");
        assertThat(help("ai", "generate")).contains("--provider=PROVIDER", "openai, anthropic");
        assertThat(help("completion")).contains("bash, zsh");
    }

    @Test
    void completionOffersTheSameChoices() {
        CommandLine list = tree().getSubcommands().get("campaign").getSubcommands().get("list");
        assertThat(list.getCommandSpec().findOption("--status").completionCandidates()).containsExactly("draft", "active", "paused", "ended");
        assertThat(list.getCommandSpec().findOption("-o").completionCandidates()).containsExactly("table", "wide", "json", "yaml");
    }

    @Test
    void aPageLimitOutOfRangeIsAUsageErrorBeforeAnyServiceIsAsked() {
        for (String bad : new String[] {"0", "-1", "10001", "many"}) {
            CliRun run = CliRun.run(Map.of(), "campaign", "list", "--limit", bad);
            assertThat(run.code()).as(bad).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err()).as(bad).contains("--limit").contains("10000").hasLineCount(2);
        }
        assertThat(CliRun.run(Map.of(), "earnings", "list", "--limit", "0").code()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void aWordThatIsNoChoiceIsAUsageErrorNamingTheChoices() {
        CliRun xml = CliRun.run(Map.of(), "campaign", "list", "-o", "xml");
        assertThat(xml.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(xml.out()).isEmpty();
        assertThat(xml.err().lines()).containsExactly(
                "error: Invalid value for option '--output': expected one of table, wide, json, yaml but was 'xml'",
                "Run 'campaignctl campaign list --help' for usage.");

        CliRun status = CliRun.run(Map.of(), "event", "list", "--status", "done");
        assertThat(status.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(status.err()).contains("expected one of pending, processed, skipped, failed but was 'done'").hasLineCount(2);

        CliRun provider = CliRun.run(Map.of(), "ai", "generate", "hello", "--provider", "mistral");
        assertThat(provider.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(provider.err()).contains("expected one of openai, anthropic but was 'mistral'");

        CliRun evaluation = CliRun.run(Map.of(), "campaign", "create", "--name", "x", "--evaluation", "some");
        assertThat(evaluation.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(evaluation.err()).contains("expected one of first, all but was 'some'");

        assertThat(CliRun.run(Map.of(), "completion", "fish").code()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void choicesAreTakenInAnyCase() {
        ParseResult parsed = tree().parseArgs("campaign", "list", "-o", "JSON", "--status", "Active");
        ParseResult list = parsed.subcommand().subcommand();
        assertThat(list.<OutputOptions.Format>matchedOptionValue("-o", null)).isEqualTo(OutputOptions.Format.JSON);
        assertThat(list.<CampaignStatus>matchedOptionValue("--status", null)).isEqualTo(CampaignStatus.ACTIVE);
    }

    @Test
    void helpShowsTheExitCodesAndExamplesOfTheUsageBundle() {
        String root = help();
        assertThat(root).contains("Exit codes: 0 success 1 unexpected failure", "7 invalid input refused",
                "8 balances or lots that do not match their entries (ledger verify) Examples: campaignctl serve all");
        assertThat(help("ledger", "verify")).contains("8 balances or lots", "Examples: campaignctl ledger verify");
        assertThat(help("campaign", "list")).contains("Exit codes: 0 success", "3 not found", "8 balances")
                .contains("Examples: campaignctl campaign list --status active -o json");
        assertThat(help("completion")).contains("campaignctl completion zsh > \"${fpath[1]}/_campaignctl\"");
    }

    @Test
    void everyKeyOfTheUsageBundleNamesACommand() throws Exception {
        Properties bundle = new Properties();
        try (InputStream in = CommandTree.class.getResourceAsStream("/campaignctl-usage.properties")) {
            bundle.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        Set<String> commands = new TreeSet<>();
        collect(tree(), commands);
        Set<String> unknown = new TreeSet<>();
        for (String key : bundle.stringPropertyNames()) {
            String command = key.substring(0, key.indexOf("usage."));
            if (!command.isEmpty() && !commands.contains(command.substring(0, command.length() - 1))) {
                unknown.add(key);
            }
        }
        assertThat(unknown).as("keys for no command (renamed or removed?)").isEmpty();
    }

    private static void collect(CommandLine command, Set<String> names) {
        names.add(command.getCommandSpec().qualifiedName("."));
        command.getSubcommands().values().forEach(sub -> collect(sub, names));
    }
}
