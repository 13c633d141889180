package dev.campaignctl.core.event;

import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.ledger.LedgerEarnings;
import dev.campaignctl.core.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * Turns pending events into outcomes: the {@link RuleSet} of active campaigns decides which rules
 * pay, {@link Limits} cuts payments to budgets and per-customer caps, and the event becomes
 * {@code processed} (with the highest-priority paying rule), {@code skipped} or {@code failed}.
 *
 * <p>A batch is claimed with {@code FOR UPDATE SKIP LOCKED} and its earnings and status changes are
 * written in the claiming transaction, so any number of processors share the queue, a killed
 * process loses nothing (its transaction rolls back and the events stay pending), and nothing is
 * paid twice (also guarded by a unique constraint on earnings).
 *
 * <pre>{@code
 * try (EventProcessor processor = new EventProcessor(db, EventProcessor.Settings.defaults())) {
 *     processor.start();          // background: wakes on NOTIFY, polls every 5 s
 * }
 * new EventProcessor(db, settings).runUntilEmpty();   // one-shot, for cron
 * }</pre>
 */
public final class EventProcessor implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EventProcessor.class.getName());
    static final String CHANNEL = "campaignctl_events";

    /** How the processor runs. */
    public record Settings(int batchSize, Duration pollInterval, int workers) {
        public static final int DEFAULT_BATCH_SIZE = 1000;
        public static final Duration DEFAULT_POLL = Duration.ofSeconds(5);

        public Settings {
            if (batchSize < 1 || batchSize > 50_000) {
                throw new IllegalArgumentException("batch size must be 1 to 50000, got " + batchSize);
            }
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_BATCH_SIZE, DEFAULT_POLL, 1);
        }
    }

    /** What one batch or one run did. */
    public record Outcome(int claimed, int processed, int skipped, int failed) {
        public static final Outcome NONE = new Outcome(0, 0, 0, 0);

        public Outcome plus(Outcome other) {
            return new Outcome(claimed + other.claimed, processed + other.processed,
                    skipped + other.skipped, failed + other.failed);
        }
    }

    private final Database database;
    private final Settings settings;
    private final RuleSetLoader ruleSets = new RuleSetLoader();
    private final Wakeup wakeup = new Wakeup();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicReferenceArray<Thread> workers;
    private final AtomicInteger deadWorkers = new AtomicInteger();
    private volatile Thread listener;
    private volatile String lastFailure;

    private static final Duration RESTART_DELAY = Duration.ofSeconds(1);

    public EventProcessor(Database database, Settings settings) {
        this.database = database;
        this.settings = settings;
        this.workers = new AtomicReferenceArray<>(settings.workers());
    }

    private volatile DataSource pool;

    /**
     * The processor's own connections (one per worker, one for marking failures), made on first
     * use: a flood of API requests cannot starve the processor of connections, nor it the API.
     */
    private DataSource pool() {
        DataSource current = pool;
        if (current == null) {
            synchronized (this) {
                if (pool == null) {
                    pool = database.separatePool("processor", settings.workers() + 1);
                }
                current = pool;
            }
        }
        return current;
    }

    private static final Timer BATCH_SECONDS = Metrics.timer(
            "campaignctl_processing_batch_seconds", "Time to claim, decide and write one batch");
    private static final Counter PROCESSED = decided(EventStatus.PROCESSED);
    private static final Counter SKIPPED = decided(EventStatus.SKIPPED);
    private static final Counter FAILED = decided(EventStatus.FAILED);

    /**
     * Claims and decides one batch in one transaction. When the batch cannot be written for a
     * reason that is not the database's availability (a numeric overflow, a constraint, a bug), its
     * events are decided again in halves, each in its own transaction, until the one that fails is
     * alone: it is marked {@code failed} with the reason and every other event goes on.
     */
    public Outcome processBatch() {
        long start = System.nanoTime();
        Outcome outcome = decide(Claim.NEXT);
        if (outcome.claimed() > 0) {
            BATCH_SECONDS.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            PROCESSED.increment(outcome.processed());
            SKIPPED.increment(outcome.skipped());
            FAILED.increment(outcome.failed());
        }
        return outcome;
    }

    private static Counter decided(EventStatus outcome) {
        return Metrics.counter("campaignctl_events_decided_total", "Events decided by the processor, by outcome",
                "outcome", outcome.wire());
    }

    /** Which pending events a transaction claims: the oldest ones, or given ones (when isolating a failure). */
    private record Claim(List<Long> ids) {
        static final Claim NEXT = new Claim(null);
    }

    /** How far a batch's transaction got: the ids it locked, and whether it had begun writing. */
    private static final class Progress {
        final List<Long> claimed = new ArrayList<>();
        /** Refund events claimed with the batch, applied each in a transaction of its own once it commits. */
        final List<Long> refunds = new ArrayList<>();
        boolean writing;
    }

    private Outcome decide(Claim claim) {
        Progress progress = new Progress();
        try {
            Outcome outcome = decideInTransaction(claim, progress);
            for (long refund : progress.refunds) {
                outcome = outcome.plus(refund(refund));
            }
            return outcome;
        } catch (RuntimeException e) {
            // Only a write can fail because of one event; a failure before it (the database, the
            // rules) would fail any batch, and marking events failed for it would lose them.
            if (!progress.writing || Failures.isTransient(e)) {
                throw e;
            }
            List<Long> claimed = progress.claimed;
            if (claimed.size() == 1) {
                return markFailed(claimed.get(0), e);
            }
            LOG.log(Level.WARNING, "a batch of " + claimed.size() + " events could not be written ("
                    + Failures.describe(e) + "); deciding it again in halves to find the event at fault");
            int half = claimed.size() / 2;
            return decide(new Claim(List.copyOf(claimed.subList(0, half))))
                    .plus(decide(new Claim(List.copyOf(claimed.subList(half, claimed.size())))));
        }
    }

    /** Claims, decides and writes in one transaction, noting its progress as it goes. */
    private Outcome decideInTransaction(Claim claim, Progress progress) {
        return Jdbc.transaction(pool(), connection -> {
            List<ClaimedEvent> events = EventQueue.claim(connection, claim.ids(), settings.batchSize());
            if (events.isEmpty()) {
                return Outcome.NONE;
            }
            List<ClaimedEvent> purchases = new ArrayList<>(events.size());
            for (ClaimedEvent event : events) {
                if (event.isRefund()) {
                    progress.refunds.add(event.id());
                } else {
                    progress.claimed.add(event.id());
                    purchases.add(event);
                }
            }
            if (purchases.isEmpty()) {
                return Outcome.NONE;
            }
            // After the claim, never before it: rules committed before any claimed event are seen.
            List<Decision> decisions = Decider.decide(purchases, ruleSets.current(connection));
            progress.writing = true;
            Limits.apply(connection, decisions);
            LedgerEarnings.Prepared ledger = EventQueue.writeEarnings(connection, decisions);
            WriteHook hook = writeHook;
            if (hook != null) {
                hook.afterEarnings(List.copyOf(progress.claimed));
            }
            EventQueue.writeStatuses(connection, decisions);
            // Last in the transaction: balance rows are what processors paying one customer wait on.
            if (ledger != null) {
                LedgerEarnings.settle(connection, ledger);
            }
            return Decider.outcome(decisions);
        });
    }

    /**
     * Applies one refund event in a transaction of its own, after the batch that claimed it has
     * committed (so a refund of a purchase in that batch finds it processed). Its own transaction
     * takes its locks in the order every refund does — the refund, its purchase, campaigns, the
     * balance — where the batch's transaction already held campaigns and balances: a refund applied
     * there waited for its purchase's lock while holding them, and an API refund of that purchase,
     * holding the purchase and waiting for them, closed a deadlock. The refund is claimed again by
     * id; another worker that claimed it meanwhile applies it instead. One that cannot be written
     * is marked failed, as a purchase would be.
     */
    private Outcome refund(long id) {
        try {
            return Jdbc.transaction(pool(), connection -> {
                List<ClaimedEvent> claimed = EventQueue.claim(connection, List.of(id), 1);
                return claimed.isEmpty() ? Outcome.NONE : RefundEvents.apply(connection, claimed.get(0));
            });
        } catch (RuntimeException e) {
            if (Failures.isTransient(e)) {
                throw e;
            }
            return markFailed(id, e);
        }
    }

    /** Records the one event a batch failed on as {@code failed}, in a transaction of its own. */
    private Outcome markFailed(long id, RuntimeException failure) {
        String reason = "could not be written: " + Failures.describe(failure);
        LOG.log(Level.WARNING, "event " + id + " marked failed: " + reason, failure);
        boolean marked = Jdbc.transaction(pool(), connection -> EventQueue.markFailed(connection, id, reason));
        return marked ? new Outcome(1, 0, 0, 1) : Outcome.NONE;
    }

    /**
     * Called inside a batch's transaction after its earnings and budget counters are written and
     * before its events' statuses are; for fault tests only.
     */
    @FunctionalInterface
    interface WriteHook {
        void afterEarnings(List<Long> eventIds);
    }

    private volatile WriteHook writeHook;

    /** Installs a hook that may throw to simulate a failure at write time (tests). */
    void writeHook(WriteHook hook) {
        this.writeHook = hook;
    }

    /**
     * Processes batches until none is left to claim, on {@code workers} threads at once (they share
     * the queue like separate processes do); for cron and tests.
     */
    public Outcome runUntilEmpty() {
        return runUntilEmpty(null);
    }

    /** As {@link #runUntilEmpty()}, but no batch starts after {@code maxTime} (null: no limit). */
    public Outcome runUntilEmpty(Duration maxTime) {
        long deadline = maxTime == null ? Long.MAX_VALUE : System.nanoTime() + maxTime.toNanos();
        if (settings.workers() == 1) {
            return drain(deadline);
        }
        List<Future<Outcome>> runs = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(settings.workers())) {
            for (int i = 0; i < settings.workers(); i++) {
                runs.add(pool.submit(() -> drain(deadline)));
            }
            Outcome total = Outcome.NONE;
            for (var run : runs) {
                total = total.plus(run.get());
            }
            return total;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while processing", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        }
    }

    private Outcome drain(long deadline) {
        Outcome total = Outcome.NONE;
        Outcome batch;
        do {
            batch = processBatch();
            total = total.plus(batch);
        } while (batch.claimed() > 0 && System.nanoTime() < deadline);
        return total;
    }

    /**
     * Takes the database-wide lock that keeps one-shot runs (cron) from overlapping; null when
     * another run holds it. The lock lives as long as the returned connection.
     */
    public Connection tryExclusiveRun() {
        return EventQueue.tryExclusiveRun(database);
    }

    /** Starts the background workers and the LISTEN thread. */
    public void start() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        for (int i = 0; i < settings.workers(); i++) {
            startWorker(i);
        }
        listener = Thread.ofPlatform().name("event-listener").daemon().start(this::listenLoop);
    }

    private void startWorker(int index) {
        Thread worker = Thread.ofPlatform().name("event-processor-" + index).daemon()
                .uncaughtExceptionHandler((thread, error) -> workerDied(index, error))
                .unstarted(this::workLoop);
        workers.set(index, worker);
        worker.start();
    }

    /**
     * A worker ended by an Error (its batch was rolled back by {@link Jdbc#transaction}): it is
     * started again after a pause, and until then {@link #health()} says so.
     */
    private void workerDied(int index, Throwable error) {
        deadWorkers.incrementAndGet();
        lastFailure = Failures.describe(error);
        LOG.log(Level.SEVERE, "event processor worker " + index + " died; restarting it in "
                + RESTART_DELAY.toMillis() + " ms", error);
        Thread.ofPlatform().name("event-processor-restart-" + index).daemon().start(() -> {
            wakeup.sleepUninterrupted(RESTART_DELAY);
            deadWorkers.decrementAndGet();
            if (running.get()) {
                startWorker(index);
            }
        });
    }

    /** How the background workers stand, for readiness: all alive, or some waiting to be restarted. */
    public record Health(boolean running, int workers, int restarting, String lastFailure) {
        public boolean ready() {
            return !running || restarting == 0;
        }
    }

    public Health health() {
        return new Health(running.get(), settings.workers(), deadWorkers.get(), lastFailure);
    }

    /** Wakes idle workers at once; for callers in this process that just stored events. */
    public void wake() {
        wakeup.signal();
    }

    /** Stops the workers after their current batch has committed or rolled back. */
    @Override
    public void close() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        wakeup.signal();
        try {
            for (int i = 0; i < workers.length(); i++) {
                Thread worker = workers.get(i);
                if (worker != null) {
                    worker.join(Duration.ofSeconds(30));
                }
            }
            if (listener != null) {
                listener.join(Duration.ofSeconds(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Batches until stopped; a failed batch (database down, say) is retried after the poll interval. */
    private void workLoop() {
        while (running.get()) {
            long generation = wakeup.generation();
            try {
                if (processBatch().claimed() == 0) {
                    wakeup.awaitChange(generation, settings.pollInterval());
                }
            } catch (RuntimeException e) {
                lastFailure = Failures.describe(e);
                LOG.log(Level.WARNING, "event processing batch failed; retrying after the poll interval", e);
                wakeup.awaitChange(generation, settings.pollInterval());
            }
        }
    }

    private void listenLoop() {
        while (running.get()) {
            try (Connection connection = database.dedicatedConnection()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running.get()) {
                    var notifications = pg.getNotifications(500);
                    if (notifications != null && notifications.length > 0) {
                        wakeup.signal();
                    }
                }
            } catch (SQLException e) {
                if (running.get()) {
                    LOG.log(Level.FINE, "LISTEN connection lost; workers keep polling", e);
                    wakeup.sleep(settings.pollInterval());
                }
            }
        }
    }
}
