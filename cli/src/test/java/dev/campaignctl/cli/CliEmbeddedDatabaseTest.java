package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** True embedded mode: the CLI starts its own PostgreSQL in the data directory, and the data survives. */
class CliEmbeddedDatabaseTest {

    @Test
    void dataWrittenInEmbeddedModeIsThereForTheNextCommand() throws Exception {
        Path home = Files.createTempDirectory("campaignctl-embedded");
        Map<String, String> env = Map.of("CAMPAIGNCTL_HOME", home.toString());

        CliRun created = CliRun.run(env, "campaign", "create", "--name", "Persistent", "-o", "json");
        assertThat(created.code()).as(created.toString()).isZero();
        CliRun listed = CliRun.run(env, "campaign", "list", "-o", "json");

        assertThat(listed.code()).as(listed.toString()).isZero();
        assertThat(listed.json().findValuesAsText("name")).containsExactly("Persistent");
        assertThat(Files.isDirectory(home.resolve("pgdata"))).isTrue();
    }
}
