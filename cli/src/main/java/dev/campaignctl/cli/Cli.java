package dev.campaignctl.cli;

import dev.campaignctl.core.http.Trust;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * What every command may touch of the outside world: its output streams and environment. Passed in
 * rather than read from {@code System}, so tests drive the real command tree in-process.
 */
public record Cli(PrintWriter out, PrintWriter err, Map<String, String> env, boolean terminal, Sessions sessions,
                  Profile profileChoice, String cacertFlag) {

    /** The profile asked for with {@code --profile} (or none), its values read from the config file once. */
    public static final class Profile {
        private final String flag;
        private Map<String, String> values;

        Profile(String flag) {
            this.flag = flag;
        }

        synchronized Map<String, String> values(Map<String, String> env) {
            if (values == null) {
                values = Profiles.load(env).active(flag, env);
            }
            return values;
        }
    }

    public Cli(PrintWriter out, PrintWriter err, Map<String, String> env, boolean terminal) {
        this(out, err, env, terminal, null, new Profile(null), null);
    }

    public Cli(PrintWriter out, PrintWriter err, Map<String, String> env, boolean terminal, Sessions sessions) {
        this(out, err, env, terminal, sessions, new Profile(null), null);
    }

    /**
     * This run's copy with the global options a command needs before picocli has parsed them:
     * {@code --profile} and {@code --cacert} (null when not given).
     */
    public Cli withGlobalFlags(String profileFlag, String cacertFlag) {
        return new Cli(out, err, env, terminal, sessions, new Profile(profileFlag), cacertFlag);
    }

    public String profileFlag() {
        return profileChoice.flag;
    }

    /** The values of the profile in force ({@code --profile}, {@code CAMPAIGNCTL_PROFILE}, the current one). */
    public Map<String, String> profile() {
        return profileChoice.values(env);
    }

    /** Flag, else environment variable, else profile key: the documented precedence. */
    public String setting(String flag, String envName, String profileKey) {
        if (flag != null) {
            return flag;
        }
        String fromEnv = envName == null ? null : env(envName);
        return fromEnv != null ? fromEnv : profile().get(profileKey);
    }

    /**
     * The CAs an https service's certificate must chain to: those of {@code --cacert},
     * {@code CAMPAIGNCTL_CACERT} or the profile's {@code cacert} (a PEM file), else the JVM's.
     */
    public Trust trust() {
        String file = setting(cacertFlag, "CAMPAIGNCTL_CACERT", "cacert");
        if (file == null) {
            return Trust.JVM;
        }
        try {
            return Trust.pemFile(Path.of(file));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    public String env(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value;
    }
}
