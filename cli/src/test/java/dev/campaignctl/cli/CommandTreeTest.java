package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The command tree as a whole: help texts, examples, and the committed completion scripts. */
class CommandTreeTest {

    private static CommandLine tree() {
        return CommandTree.full(new Cli(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(), false));
    }

    private static List<CommandLine> all(CommandLine line) {
        List<CommandLine> commands = new ArrayList<>(List.of(line));
        line.getSubcommands().values().forEach(sub -> commands.addAll(all(sub)));
        return commands;
    }

    @Test
    void everyCommandAndOptionHasADescriptionAndEveryCommandAnExample() {
        List<String> missing = new ArrayList<>();
        for (CommandLine command : all(tree())) {
            var spec = command.getCommandSpec();
            if (spec.usageMessage().description().length == 0) {
                missing.add(spec.qualifiedName() + ": description");
            }
            if (!command.getUsageMessage().contains("Examples:")) {
                missing.add(spec.qualifiedName() + ": example");
            }
            for (OptionSpec option : spec.options()) {
                if (option.description().length == 0 || option.description()[0].isBlank()) {
                    missing.add(spec.qualifiedName() + " " + option.longestName() + ": description");
                }
            }
        }
        assertThat(missing).isEmpty();
    }

    @Test
    void committedCompletionScriptsMatchTheCommandTree() throws Exception {
        Path root = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."));
        Path completions = Files.isDirectory(root.resolve("completions")) ? root.resolve("completions") : Path.of("../completions");
        assertThat(Files.readString(completions.resolve("campaignctl.bash")))
                .as("completions/campaignctl.bash is stale: run scripts/campaignctl completion bash > completions/campaignctl.bash")
                .isEqualTo(CompletionCommand.script(CompletionCommand.Shell.BASH, tree()));
        assertThat(Files.readString(completions.resolve("_campaignctl")))
                .as("completions/_campaignctl is stale: run scripts/campaignctl completion zsh > completions/_campaignctl")
                .isEqualTo(CompletionCommand.script(CompletionCommand.Shell.ZSH, tree()));
    }

    @Test
    void helpForASubcommandWorksAndUnknownCommandsSuggestTheClosest() {
        CliRun help = CliRun.run(Map.of(), "help", "event", "register");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--external-id", "Examples:");
        CliRun typo = CliRun.run(Map.of(), "evnet", "list");
        assertThat(typo.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(typo.err()).contains("Did you mean").contains("event");

        // Options and arguments after the command are not part of its name.
        CliRun withOption = CliRun.run(Map.of(), "help", "campaign", "list", "--data-dir", "/tmp/somewhere");
        assertThat(withOption.code()).isZero();
        assertThat(withOption.out()).contains("Usage: campaignctl campaign list");
        CliRun withArgument = CliRun.run(Map.of(), "help", "campaign", "get", "5");
        assertThat(withArgument.code()).isZero();
        assertThat(withArgument.out()).contains("Usage: campaignctl campaign get");
        CliRun unknown = CliRun.run(Map.of(), "help", "campaign", "lsit");
        assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("unknown command 'campaign lsit'");
    }

    @Test
    void rootHelpListsEveryVisibleCommandAndArgumentFilesStillWork() throws Exception {
        CliRun root = CliRun.run(Map.of(), "--help");
        assertThat(root.code()).isZero();
        assertThat(root.out()).contains("serve", "campaign", "process-events", "completion", "version")
                .doesNotContain("training-run");
        Path arguments = Files.createTempFile("campaignctl-args", ".txt");
        try {
            Files.writeString(arguments, "version\n");
            CliRun fromFile = CliRun.run(Map.of(), "@" + arguments);
            assertThat(fromFile.code()).as(fromFile.toString()).isZero();
            assertThat(fromFile.out()).startsWith("campaignctl ");
        } finally {
            Files.delete(arguments);
        }
    }

    @Test
    void aCommandLineBuiltInPartAnswersAsTheWholeTreeDoes() {
        // Main.run builds only the command a line names; its help and its errors must not tell.
        List<List<String>> lines = new ArrayList<>();
        for (CommandLine command : all(tree())) {
            List<String> path = new ArrayList<>(List.of(command.getCommandSpec().qualifiedName(" ").split(" ")));
            path.remove(0);
            lines.add(concat(path, "--help"));
            if (!path.isEmpty()) {
                List<String> help = new ArrayList<>(List.of("help"));
                help.addAll(path);
                lines.add(help);
            }
            if (!path.isEmpty() && command.getSubcommands().isEmpty()) {
                lines.add(concat(path, "--no-such-option"));
                if (path.size() > 1) {
                    // A group's own --help before the subcommand's name.
                    List<String> groupHelp = new ArrayList<>(path.subList(0, path.size() - 1));
                    groupHelp.add("--help");
                    groupHelp.add(path.get(path.size() - 1));
                    lines.add(groupHelp);
                }
            }
        }
        // Options before the command, a word that is no command, help about help.
        lines.addAll(List.of(List.of("-o", "json", "campaign", "list"), List.of("--data-dir", "/nowhere", "campaign", "list"),
                List.of("nosuch", "campaign", "list"), List.of("help", "help"), List.of("help", "help", "campaign"),
                List.of("campaign", "lst"), List.of("ai", "cach", "clear"), List.of("--profile", "x", "campaign", "--help")));
        assertThat(lines).hasSizeGreaterThan(100);
        for (List<String> line : lines) {
            String[] args = line.toArray(String[]::new);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            Cli cli = new Cli(new PrintWriter(out, true), new PrintWriter(err, true), Map.of(), false);
            int code = CommandTree.full(cli).execute(args);

            CliRun partial = CliRun.run(Map.of(), args);

            assertThat(partial.code()).as(String.join(" ", line)).isEqualTo(code);
            assertThat(partial.out()).as(String.join(" ", line)).isEqualTo(out.toString());
            assertThat(partial.err()).as(String.join(" ", line)).isEqualTo(err.toString());
        }
    }

    private static List<String> concat(List<String> path, String last) {
        List<String> line = new ArrayList<>(path);
        line.add(last);
        return line;
    }

    @Test
    void theTrainingRunRunsItsCommandsAgainstItsStandInServiceWhateverTheUsersProfileSays() throws Exception {
        // The launcher records the AOT cache from this run; a command failing in it trains the wrong
        // paths, and one following the user's profile would send the user's password elsewhere.
        Path config = Files.createTempDirectory("campaignctl-config");
        Files.createDirectories(config.resolve("campaignctl"));
        Files.writeString(config.resolve("campaignctl/config.json"),
                "{\"current_profile\":\"prod\",\"profiles\":{\"prod\":{\"url\":\"http://127.0.0.1:1\",\"password\":\"prod-secret\"}}}");
        CliRun training = CliRun.run(Map.of("XDG_CONFIG_HOME", config.toString(), "CAMPAIGNCTL_PROFILE", "prod"), "training-run");

        assertThat(training.code()).as(training.err()).isZero();
        assertThat(training.err()).contains("training run done").doesNotContain("exited");
    }
}
