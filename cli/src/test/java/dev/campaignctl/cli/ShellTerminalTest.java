package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell in a real terminal (tmux): Tab completes commands and subcommands, as a user sees it.
 * Skipped where tmux is not installed ({@code .ci/run} installs it).
 */
class ShellTerminalTest {

    private static String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", "campaignctl-test"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    private static boolean tmuxInstalled() {
        try {
            return new ProcessBuilder("tmux", "-V").start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String screen() throws IOException, InterruptedException {
        return tmux("capture-pane", "-t", "shell", "-p");
    }

    @Test
    void tabCompletesCommandsAndSubcommandsInARealTerminal(@TempDir Path home) throws Exception {
        assumeTrue(tmuxInstalled(), "tmux is not installed");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // A script, not a command line: the test class path is longer than tmux takes as an argument.
        Path script = home.resolve("shell.sh");
        Files.writeString(script, "export CAMPAIGNCTL_HOME='" + home + "' XDG_STATE_HOME='" + home + "'\n"
                + "exec '" + java + "' --enable-native-access=ALL-UNNAMED -cp '" + System.getProperty("java.class.path")
                + "' " + Main.class.getName() + " shell\n");
        tmux("new-session", "-d", "-s", "shell", "-x", "150", "-y", "40", "sh '" + script + "'; sleep 60");
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> screen().contains("campaignctl>"));
            tmux("send-keys", "-t", "shell", "camp", "Tab");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    // capture-pane trims the space completion adds; "l" then Tab below shows it was there.
                    .until(() -> screen().contains("campaignctl> campaign"));
            tmux("send-keys", "-t", "shell", "l", "Tab");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> screen().contains("campaignctl> campaign list"));
            assertThat(screen()).doesNotContain("restricted method");
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("the terminal showed:\n" + screen(), e);
        } finally {
            tmux("kill-server");
        }
    }
}
