package dev.campaignctl.cli;

import java.io.PrintWriter;
import java.util.Map;

/**
 * What every command may touch of the outside world: its output streams and environment. Passed in
 * rather than read from {@code System}, so tests drive the real command tree in-process.
 */
public record Cli(PrintWriter out, PrintWriter err, Map<String, String> env, boolean terminal, Sessions sessions) {

    public Cli(PrintWriter out, PrintWriter err, Map<String, String> env, boolean terminal) {
        this(out, err, env, terminal, null);
    }

    public String env(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value;
    }
}
