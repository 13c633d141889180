package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.api.ErrorKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Failures end with the README's exit codes: through the one mapper, and end to end with their stderr. */
class ExitMappingTest {

    private static final String UNREACHABLE = "http://127.0.0.1:1";

    private static Map<String, String> env(Path dir) {
        return Map.of("XDG_CONFIG_HOME", dir.resolve("config").toString(), "CAMPAIGNCTL_HOME", dir.resolve("home").toString());
    }

    @Test
    void eachKindOfFailureMapsToItsDocumentedCode() {
        ExitMapping mapper = ExitMapping.INSTANCE;
        CommandLine line = CommandTree.full(new Cli(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(), false));

        assertThat(mapper.getExitCode(new ParameterException(line, "unknown option"))).isEqualTo(ExitCodes.USAGE).isEqualTo(2);
        assertThat(mapper.getExitCode(new UsageException("no profile named 'x'"))).isEqualTo(2);
        assertThat(mapper.getExitCode(api(ErrorKind.NOT_FOUND))).isEqualTo(ExitCodes.NOT_FOUND).isEqualTo(3);
        assertThat(mapper.getExitCode(api(ErrorKind.UNAUTHORIZED))).isEqualTo(ExitCodes.AUTH).isEqualTo(4);
        assertThat(mapper.getExitCode(api(ErrorKind.UNAVAILABLE))).isEqualTo(ExitCodes.UNAVAILABLE).isEqualTo(5);
        assertThat(mapper.getExitCode(api(ErrorKind.TOO_MANY_REQUESTS))).isEqualTo(5);
        assertThat(mapper.getExitCode(api(ErrorKind.CONFLICT))).isEqualTo(ExitCodes.CONFLICT).isEqualTo(6);
        assertThat(mapper.getExitCode(api(ErrorKind.VALIDATION))).isEqualTo(ExitCodes.INVALID).isEqualTo(7);
        assertThat(mapper.getExitCode(api(ErrorKind.PAYLOAD_TOO_LARGE))).isEqualTo(7);
        assertThat(mapper.getExitCode(api(ErrorKind.INTERNAL))).isEqualTo(ExitCodes.FAILURE).isEqualTo(1);
        assertThat(mapper.getExitCode(new IllegalStateException("a bug"))).isEqualTo(1);
        // Installed on every command of the tree, so picocli's own handlers use it too.
        assertThat(line.getSubcommands().get("campaign").getSubcommands().get("list").getExitCodeExceptionMapper()).isSameAs(mapper);
    }

    private static ApiException api(ErrorKind kind) {
        return new ApiException(kind, null, kind.name());
    }

    @Test
    void failuresWhileRunningAreOneLine(@TempDir Path dir) {
        CliRun unreachable = CliRun.run(env(dir), "campaign", "get", "1", "--url", UNREACHABLE);
        assertThat(unreachable.code()).as(unreachable.toString()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(unreachable.err()).startsWith("error: ").contains("127.0.0.1:1").hasLineCount(1);

        CliRun unknownProfile = CliRun.run(env(dir), "campaign", "list", "--profile", "nope");
        assertThat(unknownProfile.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknownProfile.err()).startsWith("error: no profile named 'nope'").hasLineCount(1);
    }

    @Test
    void mistakesOnTheCommandLineAreOneLineAndAHintToHelp(@TempDir Path dir) {
        CliRun noName = CliRun.run(env(dir), "campaign", "create", "--url", UNREACHABLE);
        assertThat(noName.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(noName.err().lines()).containsExactly(
                "error: missing required option: '--name' (or give the whole body with -f FILE)",
                "Run 'campaignctl campaign create --help' for usage.");

        CliRun notANumber = CliRun.run(env(dir), "campaign", "list", "--limit", "many");
        assertThat(notANumber.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(notANumber.err().lines()).hasSize(2).last().isEqualTo("Run 'campaignctl campaign list --help' for usage.");

        CliRun unknownCommand = CliRun.run(env(dir), "help", "nosuch");
        assertThat(unknownCommand.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknownCommand.err()).startsWith("error: unknown command 'nosuch'; commands of campaignctl: serve, campaign")
                .doesNotContain("training-run").hasLineCount(2);
    }

    @Test
    void theReadmeTableHelpAndExitCodesListTheSameCodes() throws Exception {
        List<Integer> constants = new ArrayList<>();
        for (Field field : ExitCodes.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
                constants.add(field.getInt(null));
            }
        }
        List<Integer> inHelp = CommandTree.full(new Cli(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(), false))
                .getCommandSpec().usageMessage().exitCodeList().keySet().stream().map(Integer::valueOf).toList();
        List<Integer> inReadme = readmeExitCodes();

        assertThat(inHelp).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(constants).containsExactlyInAnyOrderElementsOf(inHelp);
        assertThat(inReadme).as("README.md's exit code table").containsExactlyElementsOf(inHelp);
    }

    /** The codes of the table under "## Exit codes", in order. */
    private static List<Integer> readmeExitCodes() throws Exception {
        Path root = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."));
        Path readme = Files.isRegularFile(root.resolve("README.md")) ? root.resolve("README.md") : Path.of("../README.md");
        List<String> lines = Files.readAllLines(readme);
        int start = lines.indexOf("## Exit codes");
        assertThat(start).as("README.md has an \"## Exit codes\" section").isNotNegative();
        List<Integer> codes = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            String[] cells = line.split("\\|");
            if (cells.length > 2 && cells[1].strip().matches("\\d+")) {
                codes.add(Integer.valueOf(cells[1].strip()));
            }
        }
        return codes;
    }
}
