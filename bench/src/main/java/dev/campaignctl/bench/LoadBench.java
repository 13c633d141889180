package dev.campaignctl.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.campaignctl.core.client.HttpJson;
import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.db.DbConfig;
import dev.campaignctl.core.db.EmbeddedPassword;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.server.ServeOptions;
import dev.campaignctl.server.Services;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load benchmark: a domain service on a fresh embedded PostgreSQL, 50 active rules, then
 * (1) EVENTS events through POST /events/batch, (2) processing them, (3) single events at a steady
 * RATE per second with the processor running, reporting register-to-processed latency from the
 * database's own timestamps. Run: {@code scripts/bench-load [EVENTS] [RATE] [SECONDS]}.
 */
public final class LoadBench {

    private static final int BATCH = 5_000;
    private static final int WARM_UP_EVENTS = 100_000;
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final int CLIENTS = Integer.getInteger("bench.clients", 4);

    /**
     * Waits (at most a minute) until the JIT has stopped compiling: on two cores its backlog from
     * start-up and warm-up otherwise takes a core away from whichever round runs next (measured: up
     * to 19 s of compilation in a 30 s run), which says nothing about the service's steady state.
     */
    private static void awaitCompilerIdle() throws InterruptedException {
        var compiler = ManagementFactory.getCompilationMXBean();
        if (compiler == null || !compiler.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long begin = System.nanoTime();
        long last = compiler.getTotalCompilationTime();
        int quiet = 0;
        while (quiet < 3 && System.nanoTime() - begin < 60_000_000_000L) {
            Thread.sleep(500);
            long now = compiler.getTotalCompilationTime();
            quiet = now - last < 25 ? quiet + 1 : 0;
            last = now;
        }
        System.out.printf("warm-up: %d events ingested and processed, then %.1f s until the JIT was idle%n",
                WARM_UP_EVENTS, (System.nanoTime() - begin) / 1e9);
    }

    private static long compilationMillis() {
        var compiler = ManagementFactory.getCompilationMXBean();
        return compiler != null && compiler.isCompilationTimeMonitoringSupported() ? compiler.getTotalCompilationTime() : 0;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
    private static final String PASSWORD = "bench-" + System.nanoTime();

    private LoadBench() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        // Two workers, as process-events runs by default: one overlaps deciding a batch with the database writing another.
        int workers = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Path home = Files.createTempDirectory("campaignctl-load");
        ServeOptions options = new ServeOptions(DbConfig.embedded(home), home, "127.0.0.1", 0,
                new Credentials("admin", PASSWORD), new EventProcessor.Settings(EventProcessor.Settings.DEFAULT_BATCH_SIZE,
                EventProcessor.Settings.DEFAULT_POLL, workers), false);
        try (Services services = Services.startDomain(options, new PrintWriter(System.err, true))) {
            String base = "http://127.0.0.1:" + services.domainPort();
            Database db = services.api().database();
            boolean durable = DurableReferences.durable(db);
            double pgbench = DurableReferences.pgbenchSingleInsert(db, EmbeddedPassword.read(home).orElseThrow(), 10);
            double copy = DurableReferences.rawCopy(db, 200_000);
            System.out.printf("references on this database: pgbench single-row INSERT at 64 clients %.0f commits/s;"
                    + " raw COPY %.0f rows/s%n", pgbench, copy);
            setUpRules(base);
            // A running service is warm: the first pass (not reported) lets the JIT compile the
            // ingest and processing paths, which a fresh JVM would otherwise do during the measurement.
            // Twice: the processing pass changes what the JIT has seen of code both passes share, and
            // the next ingest recompiles it once.
            for (int pass = 0; pass < 2; pass++) {
                ingest(base, WARM_UP_EVENTS / 2, "warm-up-" + pass + "-", false);
                services.processor().runUntilEmpty();
            }
            awaitCompilerIdle();
            // This machine's disk, neighbours and JIT vary from round to round; five rounds and their median
            // say more than one.
            double[] ingested = new double[ROUNDS];
            double[] processed = new double[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                ingested[round] = ingest(base, events, "load-" + round + "-", true);
                processed[round] = process(services, events, workers);
            }
            System.out.printf("median of %d rounds: ingest %.0f events/s, processing %.0f events/s%n",
                    ROUNDS, median(ingested), median(processed));
            if (Boolean.getBoolean("bench.roundsOnly")) {
                return;
            }
            // Single registrations twice: alone (what the service can take in), then with the processor deciding
            // them at the same time on the same cores (what it takes in while it also keeps up).
            String single = Json.write(Workload.event(new Random(5), null));
            DurableReferences.Wrk alone = DurableReferences.wrkSingleRegistrations(base, HttpJson.basic("admin", PASSWORD),
                    single, 10);
            services.processor().runUntilEmpty();
            services.processor().start();
            DurableReferences.Wrk singles = DurableReferences.wrkSingleRegistrations(base, HttpJson.basic("admin", PASSWORD),
                    single, 10);
            double[] latency = latency(services, base, rate, seconds);
            System.out.println();
            System.out.println("summary" + (durable ? " (fsync, synchronous_commit and full_page_writes on):"
                    : " (DURABILITY OFF: not results):"));
            if (alone != null) {
                System.out.printf("  single POST /events, 64 connections (wrk): %.0f req/s = %.2f x pgbench's single INSERT"
                                + " (target 10000 req/s); p50 %.1f ms, p99 %.1f ms (target 50 ms); %d errors%n",
                        alone.requestsPerSecond(), alone.requestsPerSecond() / pgbench, alone.p50Millis(),
                        alone.p99Millis(), alone.errors());
                System.out.printf("  the same while the processor decides them with 50 rules on the same cores: %.0f req/s;"
                                + " p50 %.1f ms, p99 %.1f ms; %d errors%n", singles.requestsPerSecond(), singles.p50Millis(),
                        singles.p99Millis(), singles.errors());
            }
            System.out.printf("  batch ingest: %.0f events/s = %.2f x raw COPY (target 80000)%n", median(ingested),
                    median(ingested) / copy);
            System.out.printf("  processing: %.0f events/s = %.2f x pgbench's single INSERT (target 40000)%n",
                    median(processed), median(processed) / pgbench);
            System.out.printf("  register -> processed at %d/s: p50 %.1f ms (target 20), p99 %.1f ms (target 100)%n",
                    rate, latency[0], latency[1]);
        } finally {
            deleteTree(home);
        }
    }

    /** The benchmark's database is hundreds of megabytes; it goes when the run ends. */
    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** A reply: status and body. */
    private record Reply(int statusCode, String body) {
    }

    /**
     * Posts over the JDK's blocking HttpURLConnection: the load comes from this JVM, so the client
     * must cost the server under test as little CPU as it can (the asynchronous HttpClient spends
     * more per request than the batch endpoint it is measuring).
     */
    private static Reply post(String url, String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setRequestProperty("Authorization", HttpJson.basic("admin", PASSWORD));
        connection.setRequestProperty("Content-Type", "application/json");
        try (var out = connection.getOutputStream()) {
            out.write(bytes);
        }
        int status = connection.getResponseCode();
        try (var in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
            return new Reply(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static void setUpRules(String base) throws Exception {
        for (int c = 0; c < 5; c++) {
            post(base + "/campaigns", "{\"name\": \"load " + c + "\"" + (c == 4 ? ", \"evaluation\": \"first\"" : "") + "}");
        }
        for (int i = 0; i < 50; i++) {
            Reply reply = post(base + "/campaigns/" + (1 + i % 5) + "/rules", Json.write(Workload.rule(i)));
            if (reply.statusCode() != 201) {
                throw new IllegalStateException("rule " + i + ": " + reply.body());
            }
        }
    }

    /** Posts {@code events} new events in batches; returns events per second. */
    private static double ingest(String base, int events, String keyPrefix, boolean report) throws Exception {
        List<String> bodies = new ArrayList<>();
        Random random = new Random(7);
        for (int start = 0; start < events; start += BATCH) {
            ArrayNode batch = Json.MAPPER.createArrayNode();
            for (int i = start; i < Math.min(events, start + BATCH); i++) {
                batch.add(Workload.event(random, keyPrefix + i));
            }
            bodies.add(Json.write(batch));
        }
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        long[] cpuBefore = ProcCpu.ticks();
        long compiledBefore = compilationMillis();
        long begin = System.nanoTime();
        List<Future<Reply>> replies = new ArrayList<>();
        for (String body : bodies) {
            replies.add(pool.submit(() -> post(base + "/events/batch", body)));
        }
        for (Future<Reply> reply : replies) {
            if (reply.get().statusCode() != 200) {
                throw new IllegalStateException("batch failed: " + reply.get().body());
            }
        }
        double took = (System.nanoTime() - begin) / 1e9;
        pool.shutdown();
        if (!report) {
            return events / took;
        }
        long[] cpuAfter = ProcCpu.ticks();
        System.out.printf("ingest: %d events via POST /events/batch (%d per request, %d clients) in %.2f s = %.0f events/s"
                        + " (CPU: this JVM %.2f s of which JIT %.2f s, PostgreSQL %.2f s)%n",
                events, BATCH, CLIENTS, took, events / took, (cpuAfter[0] - cpuBefore[0]) / 100.0,
                (compilationMillis() - compiledBefore) / 1000.0, (cpuAfter[1] - cpuBefore[1]) / 100.0);
        return events / took;
    }

    /** Processes what is pending; returns events per second. */
    private static double process(Services services, int events, int workers) {
        long before = earnings(services);
        long[] cpuBefore = ProcCpu.ticks();
        long[] walBefore = wal(services);
        long begin = System.nanoTime();
        EventProcessor.Outcome outcome = services.processor().runUntilEmpty();
        double took = (System.nanoTime() - begin) / 1e9;
        long[] cpuAfter = ProcCpu.ticks();
        long[] walAfter = wal(services);
        long earnings = earnings(services) - before;
        System.out.printf("processing: %d events (%d processed, %d skipped, %.2f earnings per event) with 50 rules,"
                        + " %d workers in %.2f s = %.0f events/s (CPU: this JVM %.2f s, PostgreSQL %.2f s;"
                        + " WAL %.0f bytes per event, %.2f full-page images per event, %d checkpoints, %d autovacuums)%n",
                outcome.claimed(), outcome.processed(), outcome.skipped(),
                earnings / (double) outcome.claimed(), workers, took, outcome.claimed() / took,
                (cpuAfter[0] - cpuBefore[0]) / 100.0, (cpuAfter[1] - cpuBefore[1]) / 100.0,
                (walAfter[0] - walBefore[0]) / (double) outcome.claimed(),
                (walAfter[1] - walBefore[1]) / (double) outcome.claimed(), walAfter[2] - walBefore[2],
                walAfter[3] - walBefore[3]);
        if (outcome.claimed() != events) {
            throw new IllegalStateException("expected " + events + " events, processed " + outcome.claimed());
        }
        return outcome.claimed() / took;
    }

    /**
     * CPU time so far in clock ticks (1/100 s) of this JVM and of all PostgreSQL processes, from
     * /proc (zeros elsewhere): where the cores went, since client, server and database share them.
     */
    /**
     * WAL bytes and full-page images written so far, checkpoints started and autovacuum runs finished
     * (PostgreSQL 17's views): whether a round paid for a checkpoint or a vacuum rather than for its events.
     */
    private static long[] wal(Services services) {
        try (Connection c = services.api().database().connection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT w.wal_bytes::bigint, w.wal_fpi, c.num_timed + c.num_requested,"
                     + " (SELECT sum(autovacuum_count) FROM pg_stat_user_tables)"
                     + " FROM pg_stat_wal w, pg_stat_checkpointer c")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)};
        } catch (SQLException e) {
            return new long[4];
        }
    }

    private static long earnings(Services services) {
        try (Connection c = services.api().database().connection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM earnings")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Single events at a steady rate with the processor running; returns register -> processed p50 and p99 in ms. */
    private static double[] latency(Services services, String base, int rate, int seconds) throws Exception {
        Random random = new Random(11);
        List<String> bodies = new ArrayList<>();
        int warmup = rate * 3;
        for (int i = 0; i < warmup + rate * seconds; i++) {
            // The first three seconds warm up this code path and are not measured.
            bodies.add(Json.write(Workload.event(random, (i < warmup ? "warmup-" : "latency-") + i)));
        }
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        long periodNanos = 1_000_000_000L / rate;
        ticker.scheduleAtFixedRate(() -> {
            int i = sent.getAndIncrement();
            if (i >= bodies.size()) {
                return;
            }
            senders.submit(() -> {
                try {
                    if (post(base + "/events", bodies.get(i)).statusCode() != 201) {
                        failed.incrementAndGet();
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                }
            });
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
        while (sent.get() < bodies.size()) {
            Thread.sleep(50);
        }
        ticker.shutdown();
        senders.shutdown();
        senders.awaitTermination(30, TimeUnit.SECONDS);
        try (Connection c = services.api().database().connection(); Statement s = c.createStatement()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM events WHERE status = 'pending'")) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        break;
                    }
                }
                Thread.sleep(20);
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*),"
                    + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - created_at)) * 1000,"
                    + " percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - created_at)) * 1000,"
                    + " max(extract(epoch FROM processed_at - created_at)) * 1000"
                    + " FROM events WHERE external_id LIKE 'latency-%'")) {
                rs.next();
                System.out.printf("latency: %d single events at %d/s for %d s after 3 s warm-up (%d failed): register -> processed p50 %.1f ms,"
                                + " p99 %.1f ms, max %.1f ms%n", rs.getLong(1), rate, seconds, failed.get(),
                        rs.getDouble(2), rs.getDouble(3), rs.getDouble(4));
                return new double[] {rs.getDouble(2), rs.getDouble(3)};
            }
        }
    }
}
