package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Named profiles: set, get, list, use-profile, and their place in the precedence. */
class ProfilesTest {

    private static Map<String, String> env(Path dir, String... more) {
        Map<String, String> env = new HashMap<>(Map.of("XDG_CONFIG_HOME", dir.resolve("config").toString(),
                "CAMPAIGNCTL_HOME", dir.resolve("home").toString()));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    @Test
    void profilesAreStoredPrivatelyAndChosenByFlagEnvironmentOrCurrent(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        assertThat(CliRun.run(env, "config", "set", "--profile", "staging", "url", "http://127.0.0.1:1").code()).isZero();
        assertThat(CliRun.run(env, "config", "set", "--profile", "prod", "url", "http://127.0.0.1:2").code()).isZero();
        assertThat(CliRun.run(env, "config", "set", "--profile", "prod", "password", "hunter2").code()).isZero();
        Path file = dir.resolve("config/campaignctl/config.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        assertThat(CliRun.run(env, "config", "use-profile", "prod").code()).isZero();
        assertThat(CliRun.run(env, "config", "get", "url").out().strip()).isEqualTo("http://127.0.0.1:2");
        assertThat(CliRun.run(env, "config", "get", "url", "--profile", "staging").out().strip()).isEqualTo("http://127.0.0.1:1");
        assertThat(CliRun.run(env(dir, "CAMPAIGNCTL_PROFILE", "staging"), "config", "get", "url").out().strip())
                .isEqualTo("http://127.0.0.1:1");
        CliRun list = CliRun.run(env, "config", "list", "-o", "json");
        assertThat(list.out()).contains("****").doesNotContain("hunter2");

        // The profile's URL is used when neither flag nor environment names one; both beat it.
        CliRun viaProfile = CliRun.run(env, "campaign", "list");
        assertThat(viaProfile.code()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(viaProfile.err()).contains("127.0.0.1:2");
        assertThat(CliRun.run(env(dir, "DEMO_DOMAIN_URL", "http://127.0.0.1:3"), "campaign", "list").err()).contains("127.0.0.1:3");
        assertThat(CliRun.run(env(dir, "DEMO_DOMAIN_URL", "http://127.0.0.1:3"), "campaign", "list", "--url", "http://127.0.0.1:4")
                .err()).contains("127.0.0.1:4");
    }

    @Test
    void unknownProfilesAndBrokenFilesAreClearErrors(@TempDir Path dir) throws Exception {
        Map<String, String> env = env(dir);
        CliRun.run(env, "config", "set", "--profile", "prod", "url", "http://x");

        CliRun unknown = CliRun.run(env, "campaign", "list", "--profile", "nope");
        assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("no profile named 'nope'").contains("prod");
        CliRun badKey = CliRun.run(env, "config", "set", "colour", "red");
        assertThat(badKey.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(badKey.err()).contains("unknown key 'colour'");

        Files.writeString(dir.resolve("config/campaignctl/config.json"), "{\n  \"profiles\": {\n    \"prod\": [\n");
        CliRun broken = CliRun.run(env, "config", "list");
        assertThat(broken.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(broken.err()).contains("config.json does not parse at line");
    }
}
