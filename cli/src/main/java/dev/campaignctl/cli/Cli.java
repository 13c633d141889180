package dev.campaignctl.cli;

import java.io.PrintWriter;
import java.util.Map;

/**
 * What every command may touch of the outside world: its output streams and environment. Passed in
 * rather than read from {@code System}, so tests drive the real command tree in-process.
 */
public record Cli(PrintWriter out, PrintWriter err, Map<String, String> env, boolean terminal, Sessions sessions,
                  Profile profileChoice) {

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
        this(out, err, env, terminal, null, new Profile(null));
    }

    public Cli(PrintWriter out, PrintWriter err, Map<String, String> env, boolean terminal, Sessions sessions) {
        this(out, err, env, terminal, sessions, new Profile(null));
    }

    public Cli withProfile(String flag) {
        return new Cli(out, err, env, terminal, sessions, new Profile(flag));
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

    public String env(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value;
    }
}
