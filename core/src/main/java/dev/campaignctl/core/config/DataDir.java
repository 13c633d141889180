package dev.campaignctl.core.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where campaignctl keeps its state: the embedded database, generated credentials, the running
 * server's address. {@code --data-dir} &gt; {@code CAMPAIGNCTL_HOME} &gt; {@code $XDG_DATA_HOME/campaignctl}
 * &gt; {@code ~/.local/share/campaignctl}.
 */
public final class DataDir {

    private DataDir() {
    }

    public static Path resolve(Path override, Map<String, String> env) {
        if (override != null) {
            return override.toAbsolutePath();
        }
        String home = env.get("CAMPAIGNCTL_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home).toAbsolutePath();
        }
        String xdg = env.get("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "campaignctl");
        }
        return home(env).resolve(".local").resolve("share").resolve("campaignctl");
    }

    /** {@code $HOME} as the shell has it (the JVM's user.home comes from the password database instead). */
    public static Path home(Map<String, String> env) {
        String home = env.get("HOME");
        return home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"));
    }
}
