package dev.campaignctl.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.ledger.LedgerEarnings;
import dev.campaignctl.core.metrics.Metrics;
import dev.campaignctl.core.rule.RuleSet;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
    private static final Counter PROCESSED = decided("processed");
    private static final Counter SKIPPED = decided("skipped");
    private static final Counter FAILED = decided("failed");

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

    private static Counter decided(String outcome) {
        return Metrics.counter("campaignctl_events_decided_total", "Events decided by the processor, by outcome",
                "outcome", outcome);
    }

    /** Which pending events a transaction claims: the oldest ones, or given ones (when isolating a failure). */
    private record Claim(List<Long> ids) {
        static final Claim NEXT = new Claim(null);
    }

    /** How far a batch's transaction got: the ids it locked, and whether it had begun writing. */
    private static final class Progress {
        final List<Long> claimed = new ArrayList<>();
        boolean writing;
    }

    private Outcome decide(Claim claim) {
        Progress progress = new Progress();
        try {
            return decideInTransaction(claim, progress);
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
            List<Claimed> events = claim(connection, claim);
            if (events.isEmpty()) {
                return Outcome.NONE;
            }
            for (Claimed event : events) {
                progress.claimed.add(event.id());
            }
            // After the claim, never before it: rules committed before any claimed event are seen.
            RuleSet rules = ruleSets.current(connection);
            Batch batch = new Batch(events.size());
            List<Claimed> refunds = new ArrayList<>();
            for (Claimed event : events) {
                if (event.refersTo() != null) {
                    refunds.add(event);
                } else {
                    batch.decide(event, rules);
                }
            }
            progress.writing = true;
            Limits.apply(connection, batch.decisions);
            batch.writeEarnings(connection);
            WriteHook hook = writeHook;
            if (hook != null) {
                hook.afterEarnings(List.copyOf(progress.claimed));
            }
            batch.writeStatuses(connection);
            batch.settleBalances(connection);
            Outcome outcome = batch.outcome();
            // After the purchases of this batch are written, so a refund of one of them finds it processed.
            for (Claimed refund : refunds) {
                outcome = outcome.plus(RefundEvents.apply(connection, refund));
            }
            return outcome;
        });
    }

    /** Records the one event a batch failed on as {@code failed}, in a transaction of its own. */
    private Outcome markFailed(long id, RuntimeException failure) {
        String reason = "could not be written: " + Failures.describe(failure);
        LOG.log(Level.WARNING, "event " + id + " marked failed: " + reason, failure);
        int updated = Jdbc.transaction(pool(), connection -> {
            try (PreparedStatement ps = connection.prepareStatement("UPDATE events SET status = 'failed',"
                    + " failure_reason = ?, processed_at = clock_timestamp() WHERE id = ? AND status = 'pending'")) {
                ps.setString(1, reason);
                ps.setLong(2, id);
                return ps.executeUpdate();
            }
        });
        return updated == 0 ? Outcome.NONE : new Outcome(1, 0, 0, 1);
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
        List<java.util.concurrent.Future<Outcome>> runs = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(settings.workers())) {
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
        } catch (java.util.concurrent.ExecutionException e) {
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
    public java.sql.Connection tryExclusiveRun() {
        try {
            java.sql.Connection connection = database.dedicatedConnection();
            try (Statement statement = connection.createStatement();
                 java.sql.ResultSet rs = statement.executeQuery("SELECT pg_try_advisory_lock(hashtext('campaignctl.process-events'))")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return connection;
                }
            }
            connection.close();
            return null;
        } catch (SQLException e) {
            throw Jdbc.translate(e);
        }
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

    /**
     * Claims pending events: the oldest ones, or the given ones. The claim must walk the partial
     * pending index in id order: right after a bulk ingest, before ANALYZE has seen the new rows,
     * the planner otherwise picks a bitmap scan of every pending row plus a sort, per batch
     * (measured: 14k instead of 21k events/s). The planner's defaults are restored for the writes.
     */
    private List<Claimed> claim(Connection connection, Claim claim) throws SQLException {
        try (Statement planner = connection.createStatement()) {
            planner.execute("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off");
        }
        try {
            return claim.ids() == null ? claimOldest(connection) : claimIds(connection, claim.ids());
        } finally {
            try (Statement planner = connection.createStatement()) {
                planner.execute("SET LOCAL enable_bitmapscan = on; SET LOCAL enable_sort = on");
            }
        }
    }

    private static final String CLAIMED_COLUMNS = "SELECT id, external_id, customer_id, merchant_id,"
            + " amount, currency, occurred_at, transaction_data::text AS transaction_data, refunded, refers_to FROM events";

    private List<Claimed> claimOldest(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(CLAIMED_COLUMNS
                + " WHERE status = 'pending' ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED")) {
            ps.setInt(1, settings.batchSize());
            return claimed(ps, settings.batchSize());
        }
    }

    private static List<Claimed> claimIds(Connection connection, List<Long> ids) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(CLAIMED_COLUMNS
                + " WHERE id = ANY(?) AND status = 'pending' ORDER BY id FOR UPDATE SKIP LOCKED")) {
            ps.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
            return claimed(ps, ids.size());
        }
    }

    private static List<Claimed> claimed(PreparedStatement ps, int expected) throws SQLException {
        List<Claimed> events = new ArrayList<>(expected);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                events.add(new Claimed(rs.getLong("id"), rs.getString("external_id"), rs.getString("customer_id"),
                        rs.getString("merchant_id"), rs.getBigDecimal("amount"), rs.getString("currency"),
                        Jdbc.instant(rs, "occurred_at"), rs.getString("transaction_data"), rs.getBigDecimal("refunded"),
                        rs.getString("refers_to")));
            }
        }
        return events;
    }

    /** An event as claimed: just what rules and earnings need. */
    record Claimed(long id, String externalId, String customerId, String merchantId, BigDecimal amount,
                   String currency, Instant occurredAt, String transactionData, BigDecimal refunded, String refersTo) {

        JsonNode document() {
            return EventDocument.of(id, externalId, customerId, merchantId, amount, currency, occurredAt,
                    Json.tree(transactionData));
        }
    }

    /**
     * What the rules decided for one event; {@link Limits} may still cut its payments. Of an event
     * refunded in part before it was processed, each match pays only the share of the amount that
     * is left ({@code withheld} is the rest, kept so later refunds reverse in proportion).
     */
    static final class Decision {
        final Claimed event;
        final List<RuleSet.Match> matches;
        final List<BigDecimal> paid;
        final List<BigDecimal> withheld;
        String failure;
        String note;

        Decision(Claimed event, List<RuleSet.Match> matches) {
            this.event = event;
            this.matches = matches;
            this.paid = new ArrayList<>(matches.size());
            this.withheld = new ArrayList<>(matches.size());
            BigDecimal refunded = event.refunded() == null ? BigDecimal.ZERO : event.refunded();
            for (RuleSet.Match match : matches) {
                BigDecimal kept = refunded.signum() > 0 && event.amount().signum() > 0
                        ? match.points().min(match.points().multiply(refunded)
                                .divide(event.amount(), 4, java.math.RoundingMode.HALF_UP))
                        : BigDecimal.ZERO;
                withheld.add(kept);
                paid.add(match.points().subtract(kept));
            }
        }

        EventStatus status() {
            if (failure != null) {
                return EventStatus.FAILED;
            }
            return firstPayingRule() != null ? EventStatus.PROCESSED : EventStatus.SKIPPED;
        }

        /** The highest-priority rule that pays; a zero-point reward still counts as paying. */
        Long firstPayingRule() {
            for (int i = 0; i < matches.size(); i++) {
                if (paid.get(i).signum() > 0 || matches.get(i).points().signum() == 0) {
                    return matches.get(i).rule().rule().id();
                }
            }
            return null;
        }

        boolean pays(int match) {
            return paid.get(match).signum() > 0 || matches.get(match).points().signum() == 0;
        }
    }

    /** The batch's decisions, written with two set-based statements instead of one per event. */
    private static final class Batch {
        final List<Decision> decisions;
        LedgerEarnings.Prepared ledger;

        Batch(int size) {
            decisions = new ArrayList<>(size);
        }

        void decide(Claimed event, RuleSet rules) {
            try {
                decisions.add(new Decision(event, rules.evaluate(event.document(), event.occurredAt(), event.amount())));
            } catch (RuntimeException | StackOverflowError e) {
                Decision failed = new Decision(event, List.of());
                failed.failure = "evaluation failed: " + Failures.describe(e);
                decisions.add(failed);
            }
        }

        Outcome outcome() {
            int processed = 0;
            int skipped = 0;
            int failed = 0;
            for (Decision decision : decisions) {
                switch (decision.status()) {
                    case PROCESSED -> processed++;
                    case SKIPPED -> skipped++;
                    default -> failed++;
                }
            }
            return new Outcome(decisions.size(), processed, skipped, failed);
        }

        void writeStatuses(Connection connection) throws SQLException {
            int n = decisions.size();
            Object[] ids = new Object[n];
            Object[] statuses = new Object[n];
            Object[] rules = new Object[n];
            Object[] failures = new Object[n];
            Object[] notes = new Object[n];
            for (int i = 0; i < n; i++) {
                Decision decision = decisions.get(i);
                ids[i] = decision.event.id();
                statuses[i] = decision.status().wire();
                rules[i] = decision.firstPayingRule();
                failures[i] = decision.failure;
                notes[i] = decision.note;
            }
            try (PreparedStatement ps = connection.prepareStatement("UPDATE events e SET status = u.status,"
                    + " matched_rule_id = u.rule_id, failure_reason = u.failure, note = u.note,"
                    + " processed_at = clock_timestamp()"
                    + " FROM unnest(?::bigint[], ?::text[], ?::bigint[], ?::text[], ?::text[])"
                    + " AS u(id, status, rule_id, failure, note) WHERE e.id = u.id AND e.status = 'pending'")) {
                ps.setArray(1, connection.createArrayOf("bigint", ids));
                ps.setArray(2, connection.createArrayOf("text", statuses));
                ps.setArray(3, connection.createArrayOf("bigint", rules));
                ps.setArray(4, connection.createArrayOf("text", failures));
                ps.setArray(5, connection.createArrayOf("text", notes));
                int updated = ps.executeUpdate();
                if (updated != n) {
                    throw new IllegalStateException("claimed " + n + " events but updated " + updated);
                }
            }
        }

        /** The batch's earnings in one statement, and then their ledger entries, lots and balances. */
        void writeEarnings(Connection connection) throws SQLException {
            List<Object> events = new ArrayList<>();
            List<Object> campaigns = new ArrayList<>();
            List<Object> rules = new ArrayList<>();
            List<Object> customers = new ArrayList<>();
            List<Object> amounts = new ArrayList<>();
            List<Object> gross = new ArrayList<>();
            for (Decision decision : decisions) {
                for (int i = 0; i < decision.matches.size(); i++) {
                    if (!decision.pays(i)) {
                        continue;
                    }
                    var rule = decision.matches.get(i).rule();
                    events.add(decision.event.id());
                    campaigns.add(rule.campaign().id());
                    rules.add(rule.rule().id());
                    customers.add(decision.event.customerId());
                    amounts.add(decision.paid.get(i));
                    gross.add(decision.paid.get(i).add(decision.withheld.get(i)));
                }
            }
            if (events.isEmpty()) {
                return;
            }
            List<LedgerEarnings.Earned> earned = new ArrayList<>(events.size());
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO earnings"
                    + " (event_id, campaign_id, rule_id, customer_id, amount, gross)"
                    + " SELECT u.e, u.c, u.r, u.cu, u.a, u.g"
                    + " FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::numeric[], ?::numeric[])"
                    + " AS u(e, c, r, cu, a, g) RETURNING id, event_id, campaign_id, customer_id, amount")) {
                ps.setArray(1, connection.createArrayOf("bigint", events.toArray()));
                ps.setArray(2, connection.createArrayOf("bigint", campaigns.toArray()));
                ps.setArray(3, connection.createArrayOf("bigint", rules.toArray()));
                ps.setArray(4, connection.createArrayOf("text", customers.toArray()));
                ps.setArray(5, connection.createArrayOf("numeric", amounts.toArray()));
                ps.setArray(6, connection.createArrayOf("numeric", gross.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        earned.add(new LedgerEarnings.Earned(rs.getLong(1), rs.getLong(2), rs.getLong(3),
                                rs.getString(4), rs.getBigDecimal(5)));
                    }
                }
            }
            ledger = LedgerEarnings.prepare(connection, earned);
        }

        /** Last in the batch's transaction: balances are the rows processors paying one customer wait on. */
        void settleBalances(Connection connection) throws SQLException {
            if (ledger != null) {
                LedgerEarnings.settle(connection, ledger);
            }
        }
    }

    /** A generation counter idle workers wait on, so a signal between "queue empty" and "wait" is never lost. */
    private static final class Wakeup {
        private final AtomicLong generation = new AtomicLong();
        /** Workers inside awaitChange; signal takes the monitor only when one may be waiting. */
        private volatile int waiting;

        long generation() {
            return generation.get();
        }

        /**
         * Called by every registration in this process: lock-free unless a worker waits. A waiter
         * counts itself before it reads the generation, so a signal either sees it waiting (and
         * notifies under the monitor) or happened before that read (and the waiter never waits).
         */
        void signal() {
            generation.incrementAndGet();
            if (waiting > 0) {
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        synchronized void awaitChange(long seen, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            waiting++;
            try {
                while (generation.get() == seen) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            } finally {
                waiting--;
            }
        }

        void sleep(Duration duration) {
            awaitChange(generation(), duration);
        }

        /** Sleeps the whole duration, whatever signals arrive. */
        void sleepUninterrupted(Duration duration) {
            long deadline = System.nanoTime() + duration.toNanos();
            for (long left = duration.toNanos(); left > 0 && !Thread.currentThread().isInterrupted();
                 left = deadline - System.nanoTime()) {
                awaitChange(generation(), Duration.ofNanos(left));
            }
        }
    }
}
