package dev.campaignctl.cli;

import dev.campaignctl.server.AgentRuns;
import dev.campaignctl.server.ServerLimits;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * {@code serve}'s limits, each a flag or else an environment variable or else its default:
 * {@link Server} for every service, {@link Batch} where the domain service runs, {@link Agents}
 * where the agents do. Sizes take K, M or G (1024-based, {@code 16M} or {@code 16MiB});
 * durations are seconds, or take s, m or h ({@code 5m}).
 */
final class LimitOptions {

    private LimitOptions() {
    }

    /** What every server limits: connections, requests at once, idle and read time, JSON bodies. */
    static final class Server {
        @Option(names = "--max-connections", paramLabel = "N",
                description = "Open connections per service; one more is closed at once (env MAX_CONNECTIONS; default 10000).")
        String maxConnections;
        @Option(names = "--max-concurrent-requests", paramLabel = "N",
                description = "Requests handled at once per service; one more gets 503 with Retry-After (env MAX_CONCURRENT_REQUESTS; default 128).")
        String maxConcurrentRequests;
        @Option(names = "--idle-timeout", paramLabel = "DURATION",
                description = "How long a connection may wait for its next request (env IDLE_TIMEOUT; default 5m).")
        String idleTimeout;
        @Option(names = "--read-timeout", paramLabel = "DURATION",
                description = "How long a request's headers may take once its first line is in; a body then has to keep up 1 KiB/s"
                        + " (env READ_TIMEOUT; default 30s).")
        String readTimeout;
        @Option(names = "--max-json-body", paramLabel = "SIZE",
                description = "Largest JSON body, e.g. a prompt or a campaign (env MAX_JSON_BODY; default 1M).")
        String maxJsonBody;

        ServerLimits apply(Cli cli, ServerLimits limits) {
            ServerLimits defaults = ServerLimits.DEFAULTS;
            return limits.withMaxConnections(count(cli, "--max-connections", maxConnections, "MAX_CONNECTIONS", defaults.maxConnections()))
                    .withMaxConcurrentRequests(count(cli, "--max-concurrent-requests", maxConcurrentRequests, "MAX_CONCURRENT_REQUESTS",
                            defaults.maxConcurrentRequests()))
                    .withIdleTimeout(duration(cli, "--idle-timeout", idleTimeout, "IDLE_TIMEOUT", defaults.idleTimeout()))
                    .withReadTimeout(duration(cli, "--read-timeout", readTimeout, "READ_TIMEOUT", defaults.readTimeout()))
                    .withBodies(size(cli, "--max-json-body", maxJsonBody, "MAX_JSON_BODY", defaults.maxJsonBody()),
                            limits.maxBatchBody(), limits.maxAgentFile());
        }
    }

    /** The domain service's event batches. */
    static final class Batch {
        @Option(names = "--max-batch-body", paramLabel = "SIZE",
                description = "Largest body of POST /events/batch (env MAX_BATCH_BODY; default 16M).")
        String maxBatchBody;

        ServerLimits apply(Cli cli, ServerLimits limits) {
            return limits.withBodies(limits.maxJsonBody(),
                    size(cli, "--max-batch-body", maxBatchBody, "MAX_BATCH_BODY", ServerLimits.DEFAULTS.maxBatchBody()),
                    limits.maxAgentFile());
        }
    }

    /** The agents service's event files and runs. */
    static final class Agents {
        @Option(names = "--max-agent-file", paramLabel = "SIZE",
                description = "Largest event file sent to POST /agents/event-batches (env MAX_AGENT_FILE; default 64M).")
        String maxAgentFile;
        @Option(names = "--agent-max-runs", paramLabel = "N",
                description = "Event-batch runs going on at once; one more gets 429 with Retry-After (env AGENT_MAX_RUNS; default 4).")
        String maxRuns;
        @Option(names = "--agent-run-retention", paramLabel = "DURATION",
                description = "How long a finished run's summary is kept (env AGENT_RUN_RETENTION; default 1h).")
        String retention;

        ServerLimits apply(Cli cli, ServerLimits limits) {
            return limits.withBodies(limits.maxJsonBody(), limits.maxBatchBody(),
                    size(cli, "--max-agent-file", maxAgentFile, "MAX_AGENT_FILE", ServerLimits.DEFAULTS.maxAgentFile()));
        }

        AgentRuns.Settings runs(Cli cli) {
            AgentRuns.Settings defaults = AgentRuns.Settings.DEFAULTS;
            return new AgentRuns.Settings(count(cli, "--agent-max-runs", maxRuns, "AGENT_MAX_RUNS", defaults.maxRunning()),
                    duration(cli, "--agent-run-retention", retention, "AGENT_RUN_RETENTION", defaults.retention()), defaults.maxKept());
        }
    }

    private static final Pattern SIZE = Pattern.compile("(\\d{1,10})\\s*(?:([kmg])(?:i?b)?|b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d{1,7})\\s*([smh])?", Pattern.CASE_INSENSITIVE);

    /** A whole number from 1 to a billion. */
    static int count(Cli cli, String flag, String value, String env, int absent) {
        String text = setting(cli, value, env);
        if (text == null) {
            return absent;
        }
        if (!text.matches("\\d{1,10}") || Long.parseLong(text) < 1 || Long.parseLong(text) > 1_000_000_000L) {
            throw refused(flag, env, value, "a whole number from 1 to 1000000000", text);
        }
        return Integer.parseInt(text);
    }

    /** A size in bytes, with an optional K, M or G, from 1 byte to 1 GiB. */
    static int size(Cli cli, String flag, String value, String env, int absent) {
        String text = setting(cli, value, env);
        if (text == null) {
            return absent;
        }
        Matcher m = SIZE.matcher(text.trim());
        if (m.matches()) {
            long bytes = Long.parseLong(m.group(1)) << (m.group(2) == null ? 0 : switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "k" -> 10;
                case "m" -> 20;
                default -> 30;
            });
            if (bytes >= 1 && bytes <= ServerLimits.MAX_BODY_LIMIT) {
                return (int) bytes;
            }
        }
        throw refused(flag, env, value, "a size from 1 byte to 1G, like 512K or 16M", text);
    }

    /** A duration of at least a second: seconds, or a number with s, m or h. */
    static Duration duration(Cli cli, String flag, String value, String env, Duration absent) {
        String text = setting(cli, value, env);
        if (text == null) {
            return absent;
        }
        Matcher m = DURATION.matcher(text.trim());
        if (m.matches() && Long.parseLong(m.group(1)) >= 1) {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT)) {
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
            };
        }
        throw refused(flag, env, value, "a duration of at least one second, like 30, 30s, 5m or 1h", text);
    }

    private static String setting(Cli cli, String flag, String env) {
        return flag != null ? flag : cli.env(env);
    }

    private static UsageException refused(String flag, String env, String flagValue, String expected, String text) {
        String source = flagValue != null ? flag : env;
        return new UsageException(source + " must be " + expected + ", got \"" + text + "\"");
    }
}
