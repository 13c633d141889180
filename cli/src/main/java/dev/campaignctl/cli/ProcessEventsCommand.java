package dev.campaignctl.cli;

import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.db.DbConfig;
import dev.campaignctl.core.db.EmbeddedPassword;
import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.server.ServerState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code campaignctl process-events}: decides pending events straight on the database. With
 * {@code --until-empty} (cron) or {@code --once} it exits when done; without either it runs as a
 * worker until stopped. Any number may run at once: they share the queue through SKIP LOCKED.
 */
@Command(name = "process-events", description = {
        "Process pending events on the database: --once (one batch), --until-empty (cron), or as a worker until stopped.",
        "Uses the embedded database of a running 'serve' on the same data directory, or --db-url."})
final class ProcessEventsCommand implements Callable<Integer> {

    private final Cli cli;
    @Mixin DatabaseOptions database;
    @Mixin OutputOptions output;
    @ArgGroup(exclusive = true) Mode mode;
    @Option(names = "--batch-size", defaultValue = "1000", description = "Events claimed per transaction (default: ${DEFAULT-VALUE}).") int batchSize;
    @Option(names = "--workers", defaultValue = "2", description = "Worker threads in worker mode (default: ${DEFAULT-VALUE}).") int workers;
    @Option(names = "--max-time", paramLabel = "SECONDS",
            description = "One-shot modes: start no batch after this many seconds; the rest waits for the next run.") Integer maxTime;
    @Option(names = "--no-lock", description = "One-shot modes: do not take the lock that keeps overlapping cron runs apart.") boolean noLock;
    @Option(names = "--poll-interval", defaultValue = "5", paramLabel = "SECONDS",
            description = "Worker mode: poll this often when no notification arrives (default: ${DEFAULT-VALUE}).") int pollSeconds;

    /** The one-shot modes. */
    static final class Mode {
        @Option(names = "--once", description = "Process one batch and exit.") boolean once;
        @Option(names = "--until-empty", description = "Process until no pending event is left, then exit.") boolean untilEmpty;
    }

    ProcessEventsCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws InterruptedException {
        EventProcessor.Settings settings = new EventProcessor.Settings(batchSize, Duration.ofSeconds(pollSeconds), workers);
        try (Database db = Database.open(dbConfig())) {
            EventProcessor processor = new EventProcessor(db, settings);
            if (mode == null) {
                return runWorker(processor);
            }
            Connection lock = noLock ? null : processor.tryExclusiveRun();
            if (!noLock && lock == null) {
                cli.err().println("error: another process-events run holds the lock; not starting (use --no-lock to run anyway)");
                return ExitCodes.CONFLICT;
            }
            try (Connection held = lock) {
                long start = System.nanoTime();
                EventProcessor.Outcome outcome = mode.once ? processor.processBatch()
                        : processor.runUntilEmpty(maxTime == null ? null : Duration.ofSeconds(maxTime));
                report(outcome, Duration.ofNanos(System.nanoTime() - start));
            } catch (SQLException e) {
                throw Jdbc.translate(e);
            }
        }
        return ExitCodes.OK;
    }

    private DbConfig dbConfig() {
        if (!database.hasExternalUrl(cli)) {
            var running = new ServerState(database.dataDir(cli)).databaseUrl();
            if (running.isPresent()) {
                String password = EmbeddedPassword.read(database.dataDir(cli)).orElse(null);
                return DbConfig.external(running.get(), "postgres", password).withPoolSize(workers + 2);
            }
        }
        return database.config(cli).withPoolSize(workers + 2);
    }

    private int runWorker(EventProcessor processor) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            processor.close();
            stopped.countDown();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        processor.start();
        cli.err().println("processing events with " + workers + " worker(s); stop with Ctrl-C or SIGTERM");
        cli.err().flush();
        stopped.await();
        return ExitCodes.OK;
    }

    private void report(EventProcessor.Outcome outcome, Duration took) {
        double seconds = Math.max(took.toNanos() / 1e9, 1e-9);
        long rate = Math.round(outcome.claimed() / seconds);
        if (Output.structured(cli, output)) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("claimed", outcome.claimed());
            summary.put("processed", outcome.processed());
            summary.put("skipped", outcome.skipped());
            summary.put("failed", outcome.failed());
            summary.put("millis", took.toMillis());
            summary.put("events_per_second", rate);
            cli.out().println(Json.write(summary));
        }
        cli.err().printf("%d events: %d processed, %d skipped, %d failed in %d ms (%d events/s)%n",
                outcome.claimed(), outcome.processed(), outcome.skipped(), outcome.failed(), took.toMillis(), rate);
    }
}
