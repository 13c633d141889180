package dev.campaignctl.bench;

import dev.campaignctl.core.db.Database;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;

/**
 * What the load benchmark compares with, measured on the same database in the same run: its
 * durability settings (a figure taken with fsync off is no result), pgbench's single-row insert
 * at 64 clients (the ceiling for single registrations), raw COPY (the ceiling for batch ingest),
 * and wrk's single {@code POST /events} at 64 connections.
 */
final class DurableReferences {

    private DurableReferences() {
    }

    /** Prints fsync, synchronous_commit and full_page_writes; true when all three are on. */
    static boolean durable(Database db) throws SQLException {
        StringBuilder line = new StringBuilder("durability:");
        boolean on = true;
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
                try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
                    rs.next();
                    line.append(' ').append(setting).append('=').append(rs.getString(1));
                    on &= rs.getString(1).equals("on");
                }
            }
        }
        System.out.println(line + (on ? "" : "  -- NOT DURABLE: these figures are not results"));
        return on;
    }

    /**
     * pgbench's single-row INSERT into an events-like table at 64 clients for {@code seconds};
     * transactions per second, or -1 when pgbench is not installed.
     */
    static double pgbenchSingleInsert(Database db, String password, int seconds) throws Exception {
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bench_single_insert");
            s.execute("CREATE TABLE bench_single_insert (LIKE events INCLUDING DEFAULTS INCLUDING IDENTITY)");
        }
        Path script = Files.createTempFile("bench-insert", ".sql");
        Files.writeString(script, "INSERT INTO bench_single_insert (customer_id, merchant_id, amount, transaction_data)"
                + " VALUES ('C1', 'MERCHANT_001', 150.00, '{\"channel\": \"web\", \"items\": [{\"category\": \"shoes\"}]}');\n");
        URI uri = URI.create(db.url().substring("jdbc:".length()));
        try {
            String out = run(Map.of("PGPASSWORD", password), "pgbench", "-n", "-h", uri.getHost(),
                    "-p", Integer.toString(uri.getPort()), "-U", "postgres", "-c", "64", "-j", "2",
                    "-T", Integer.toString(seconds), "-f", script.toString(), uri.getPath().substring(1));
            if (out == null) {
                return -1;
            }
            Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(out);
            return tps.find() ? Double.parseDouble(tps.group(1)) : -1;
        } finally {
            Files.deleteIfExists(script);
            try (Connection c = db.connection(); Statement s = c.createStatement()) {
                s.execute("DROP TABLE bench_single_insert");
            }
        }
    }

    /** Rows per second of one COPY of {@code rows} workload-shaped events into an events-like table. */
    static double rawCopy(Database db, int rows) throws Exception {
        StringBuilder data = new StringBuilder(rows * 120);
        Random random = new Random(3);
        for (int i = 0; i < rows; i++) {
            data.append("copy-").append(i).append('\t').append("C").append(random.nextInt(10_000)).append('\t')
                    .append("MERCHANT_00").append(random.nextInt(9)).append('\t').append(10 + random.nextInt(500))
                    .append(".50\t{\"channel\": \"web\", \"items\": [{\"category\": \"shoes\", \"price\": 12.5}]}\n");
        }
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bench_copy");
            s.execute("CREATE TABLE bench_copy (LIKE events INCLUDING DEFAULTS INCLUDING IDENTITY)");
            long begin = System.nanoTime();
            c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY bench_copy (external_id, customer_id, merchant_id,"
                    + " amount, transaction_data) FROM STDIN", new StringReader(data.toString()));
            double took = (System.nanoTime() - begin) / 1e9;
            s.execute("DROP TABLE bench_copy");
            return rows / took;
        }
    }

    /** wrk's figures for single registrations: requests per second and the 99th percentile in ms. */
    record Wrk(double requestsPerSecond, double p50Millis, double p99Millis, long errors) {
    }

    /**
     * Single {@code POST /events} (the workload's event, no external_id) from wrk at 64 connections
     * for {@code seconds} after an unreported warm-up run; null when wrk is not installed.
     */
    static Wrk wrkSingleRegistrations(String base, String authorization, String body, int seconds) throws Exception {
        Path script = Files.createTempFile("bench-post", ".lua");
        Files.writeString(script, "wrk.method = \"POST\"\n"
                + "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
                + "wrk.headers[\"Authorization\"] = \"" + authorization + "\"\n"
                + "wrk.body = '" + body.replace("\\", "\\\\").replace("'", "\\'") + "'\n"
                + "done = function(summary, latency, requests)\n"
                + "  io.write(string.format(\"P50 %.3f\\nP99 %.3f\\nERRORS %d\\n\", latency:percentile(50) / 1000,"
                + " latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.read"
                + " + summary.errors.write + summary.errors.timeout))\n"
                + "end\n", StandardCharsets.UTF_8);
        try {
            if (run(Map.of(), "wrk", "-t2", "-c64", "-d5s", "-s", script.toString(), base + "/events") == null) {
                return null;
            }
            String out = run(Map.of(), "wrk", "-t2", "-c64", "-d" + seconds + "s", "-s", script.toString(), base + "/events");
            return new Wrk(number(out, "Requests/sec:\\s+([0-9.]+)"), number(out, "P50 ([0-9.]+)"),
                    number(out, "P99 ([0-9.]+)"), (long) number(out, "ERRORS ([0-9]+)"));
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /**
     * wrk at 64 connections for {@code seconds} with a Lua {@code script} (which sets the requests),
     * after an unreported five-second warm-up; null when wrk is not installed.
     */
    static Wrk wrk(String url, String authorization, String script, int seconds) throws Exception {
        Path file = Files.createTempFile("bench", ".lua");
        Files.writeString(file, "wrk.headers[\"Authorization\"] = \"" + authorization + "\"\n"
                + "wrk.headers[\"Content-Type\"] = \"application/json\"\n" + script
                + "done = function(summary, latency, requests)\n"
                + "  io.write(string.format(\"P50 %.3f\\nP99 %.3f\\nERRORS %d\\n\", latency:percentile(50) / 1000,"
                + " latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.read"
                + " + summary.errors.write + summary.errors.timeout))\n"
                + "end\n", StandardCharsets.UTF_8);
        try {
            if (run(Map.of(), "wrk", "-t2", "-c64", "-d5s", "-s", file.toString(), url) == null) {
                return null;
            }
            String out = run(Map.of(), "wrk", "-t2", "-c64", "-d" + seconds + "s", "-s", file.toString(), url);
            return new Wrk(number(out, "Requests/sec:\\s+([0-9.]+)"), number(out, "P50 ([0-9.]+)"),
                    number(out, "P99 ([0-9.]+)"), (long) number(out, "ERRORS ([0-9]+)"));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in:\n" + text);
        }
        return Double.parseDouble(m.group(1));
    }

    /** Runs a tool to its end and returns its output, or null when it is not installed. */
    private static String run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException notInstalled) {
            System.out.println(command[0] + " is not installed (apt-get install wrk postgresql-client): its figure is left out");
            return null;
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }
}
