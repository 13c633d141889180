package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.testing.TestDatabases;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.SequenceInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The interactive shell, driven through a JLine dumb terminal. */
class ShellTest {

    @Test
    void commandsRunErrorsDoNotEndTheSessionAndHistoryIsWrittenOwnerOnlyWithoutSecrets(@TempDir Path dir) throws Exception {
        // Its own config directory: "config set" below must not write the user's profiles.
        Map<String, String> env = Map.of("CAMPAIGNCTL_HOME", dir.toString(), "XDG_STATE_HOME", dir.resolve("state").toString(),
                "XDG_CONFIG_HOME", dir.resolve("config").toString(), "DB_URL", TestDatabases.newDatabaseUrl(), "DB_USER", "postgres");
        String input = String.join("\n",
                "campaign create --name \"Shell Sale\" -o json",
                "event get 424242",
                "campaing list",
                "campaign list -o json",
                "version",
                "config set password hunter2-secret",
                "config set token tok-secret",
                "exit", "");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Cli base = new Cli(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), env, false);

        // The input never ends on its own, as at a real keyboard: the shell must stop at "exit".
        PipedOutputStream keyboard = new PipedOutputStream();
        InputStream typed = new SequenceInputStream(
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), new PipedInputStream(keyboard));
        int code = ShellCommand.run(typed, out, base);
        keyboard.close();

        String screen = out.toString(StandardCharsets.UTF_8);
        assertThat(code).isZero();
        assertThat(screen).contains("\"name\" : \"Shell Sale\"");
        assertThat(screen).contains("error: event 424242 not found");
        assertThat(screen).contains("Did you mean").contains("campaign");
        assertThat(screen.indexOf("Shell Sale", screen.indexOf("campaign list -o json"))).isPositive();
        assertThat(screen).contains("campaignctl ");
        Path history = dir.resolve("state/campaignctl/history");
        assertThat(Files.readString(history)).contains("campaign create --name", "event get 424242", "version")
                .doesNotContain("hunter2-secret").doesNotContain("tok-secret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(history)))
                .isEqualTo("rw-------");
    }
}
