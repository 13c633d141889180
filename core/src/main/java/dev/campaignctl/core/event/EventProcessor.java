package dev.campaignctl.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.campaign.CampaignStore;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.Condition;
import dev.campaignctl.core.rule.Conditions;
import dev.campaignctl.core.rule.Rule;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.postgresql.PGConnection;

/**
 * Turns pending events into outcomes: for each active campaign, the highest-priority matching rule
 * pays one earning; the event becomes {@code processed} (with the overall first matching rule) or
 * {@code skipped}.
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
            return new Settings(DEFAULT_BATCH_SIZE, DEFAULT_POLL, 2);
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
    private final Map<Long, Condition> compiled = new ConcurrentHashMap<>();
    private final Wakeup wakeup = new Wakeup();
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    public EventProcessor(Database database, Settings settings) {
        this.database = database;
        this.settings = settings;
    }

    /** Claims and decides one batch in one transaction. */
    public Outcome processBatch() {
        return Jdbc.transaction(database.dataSource(), connection -> {
            try (Statement statement = connection.createStatement()) {
                // Safe: a commit lost to an OS crash reverts the whole batch (outcomes and earnings
                // together) to pending, and it is decided again; nothing is lost or paid twice.
                statement.execute("SET LOCAL synchronous_commit TO off");
            }
            List<ActiveRule> rules = activeRules(connection);
            List<Claimed> events = claim(connection);
            if (events.isEmpty()) {
                return Outcome.NONE;
            }
            Decisions decisions = new Decisions(events.size());
            for (Claimed event : events) {
                decide(event, rules, decisions);
            }
            decisions.write(connection);
            return decisions.outcome();
        });
    }

    /**
     * Processes batches until none is left to claim, on {@code workers} threads at once (they share
     * the queue like separate processes do); for cron and tests.
     */
    public Outcome runUntilEmpty() {
        if (settings.workers() == 1) {
            return drain();
        }
        List<java.util.concurrent.Future<Outcome>> runs = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(settings.workers())) {
            for (int i = 0; i < settings.workers(); i++) {
                runs.add(pool.submit(this::drain));
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

    private Outcome drain() {
        Outcome total = Outcome.NONE;
        Outcome batch;
        do {
            batch = processBatch();
            total = total.plus(batch);
        } while (batch.claimed() > 0);
        return total;
    }

    /** Starts the background workers and the LISTEN thread. */
    public void start() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        for (int i = 0; i < settings.workers(); i++) {
            threads.add(Thread.ofPlatform().name("event-processor-" + i).daemon().start(this::workLoop));
        }
        threads.add(Thread.ofPlatform().name("event-listener").daemon().start(this::listenLoop));
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
        for (Thread thread : threads) {
            try {
                thread.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        threads.clear();
    }

    private void workLoop() {
        while (running.get()) {
            long generation = wakeup.generation();
            try {
                if (processBatch().claimed() == 0) {
                    wakeup.awaitChange(generation, settings.pollInterval());
                }
            } catch (RuntimeException e) {
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

    private List<ActiveRule> activeRules(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT r.id, r.campaign_id, r.name, r.priority,"
                + " r.conditions::text AS conditions, r.reward_type, r.reward_value, r.created_at,"
                + " c.starts_at, c.ends_at FROM campaign_rules r JOIN campaigns c ON c.id = r.campaign_id"
                + " WHERE c.status = 'active' ORDER BY r.priority DESC, r.id")) {
            List<ActiveRule> rules = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Rule rule = CampaignStore.rule(rs);
                    Condition condition = compiled.computeIfAbsent(rule.id(), id -> Conditions.compile(rule.conditions()));
                    rules.add(new ActiveRule(rule, condition, Jdbc.instant(rs, "starts_at"), Jdbc.instant(rs, "ends_at")));
                }
            }
            return rules;
        }
    }

    private List<Claimed> claim(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT id, external_id, customer_id, merchant_id,"
                + " amount, currency, occurred_at, transaction_data::text AS transaction_data FROM events"
                + " WHERE status = 'pending' ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED")) {
            ps.setInt(1, settings.batchSize());
            List<Claimed> events = new ArrayList<>(settings.batchSize());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.add(new Claimed(rs.getLong("id"), rs.getString("external_id"), rs.getString("customer_id"),
                            rs.getString("merchant_id"), rs.getBigDecimal("amount"), rs.getString("currency"),
                            Jdbc.instant(rs, "occurred_at"), rs.getString("transaction_data")));
                }
            }
            return events;
        }
    }

    private static void decide(Claimed event, List<ActiveRule> rules, Decisions decisions) {
        try {
            JsonNode document = event.document();
            Long firstRule = null;
            List<Long> paidCampaigns = new ArrayList<>(2);
            for (ActiveRule active : rules) {
                Rule rule = active.rule();
                if (paidCampaigns.contains(rule.campaignId()) || !active.covers(event.occurredAt())
                        || !active.condition().matches(document)) {
                    continue;
                }
                paidCampaigns.add(rule.campaignId());
                decisions.earning(event.id(), rule.campaignId(), rule.id(), event.customerId(),
                        rule.reward().pointsFor(event.amount()));
                if (firstRule == null) {
                    firstRule = rule.id();
                }
            }
            decisions.outcome(event.id(), firstRule == null ? EventStatus.SKIPPED : EventStatus.PROCESSED, firstRule, null);
        } catch (RuntimeException e) {
            decisions.discardEarnings(event.id());
            decisions.outcome(event.id(), EventStatus.FAILED, null, String.valueOf(e.getMessage()));
        }
    }

    private record ActiveRule(Rule rule, Condition condition, Instant startsAt, Instant endsAt) {
        boolean covers(Instant when) {
            return (startsAt == null || !when.isBefore(startsAt)) && (endsAt == null || when.isBefore(endsAt));
        }
    }

    private record Claimed(long id, String externalId, String customerId, String merchantId, BigDecimal amount,
                           String currency, Instant occurredAt, String transactionData) {

        /** The document rules are evaluated against: the top-level fields plus transaction_data. */
        JsonNode document() {
            ObjectNode doc = Json.MAPPER.createObjectNode();
            doc.put("id", id);
            doc.put("external_id", externalId);
            doc.put("customer_id", customerId);
            doc.put("merchant_id", merchantId);
            doc.put("amount", amount);
            doc.put("currency", currency);
            doc.put("occurred_at", DateTimeFormatter.ISO_INSTANT.format(occurredAt));
            doc.set("transaction_data", Json.tree(transactionData));
            return doc;
        }
    }

    /** The batch's decisions, written with two set-based statements instead of one per event. */
    private static final class Decisions {
        private final List<Long> ids;
        private final List<String> statuses;
        private final List<Long> ruleIds;
        private final List<String> reasons;
        private final List<Object[]> earnings = new ArrayList<>();
        private int processed;
        private int skipped;
        private int failed;

        Decisions(int size) {
            ids = new ArrayList<>(size);
            statuses = new ArrayList<>(size);
            ruleIds = new ArrayList<>(size);
            reasons = new ArrayList<>(size);
        }

        void earning(long eventId, long campaignId, long ruleId, String customerId, BigDecimal amount) {
            earnings.add(new Object[] {eventId, campaignId, ruleId, customerId, amount});
        }

        void discardEarnings(long eventId) {
            earnings.removeIf(row -> (long) row[0] == eventId);
        }

        void outcome(long eventId, EventStatus status, Long ruleId, String reason) {
            ids.add(eventId);
            statuses.add(status.wire());
            ruleIds.add(ruleId);
            reasons.add(reason);
            switch (status) {
                case PROCESSED -> processed++;
                case SKIPPED -> skipped++;
                default -> failed++;
            }
        }

        Outcome outcome() {
            return new Outcome(ids.size(), processed, skipped, failed);
        }

        void write(Connection connection) throws SQLException {
            if (!earnings.isEmpty()) {
                try (PreparedStatement ps = connection.prepareStatement("INSERT INTO earnings"
                        + " (event_id, campaign_id, rule_id, customer_id, amount)"
                        + " SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::numeric[])")) {
                    for (int column = 0; column < 5; column++) {
                        ps.setArray(column + 1, array(connection, column));
                    }
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = connection.prepareStatement("UPDATE events e SET status = u.status,"
                    + " matched_rule_id = u.rule_id, failure_reason = u.reason, processed_at = now()"
                    + " FROM unnest(?::bigint[], ?::text[], ?::bigint[], ?::text[]) AS u(id, status, rule_id, reason)"
                    + " WHERE e.id = u.id AND e.status = 'pending'")) {
                ps.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
                ps.setArray(2, connection.createArrayOf("text", statuses.toArray()));
                ps.setArray(3, connection.createArrayOf("bigint", ruleIds.toArray()));
                ps.setArray(4, connection.createArrayOf("text", reasons.toArray()));
                int updated = ps.executeUpdate();
                if (updated != ids.size()) {
                    throw new IllegalStateException("claimed " + ids.size() + " events but updated " + updated);
                }
            }
        }

        private Array array(Connection connection, int column) throws SQLException {
            Object[] values = new Object[earnings.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = earnings.get(i)[column];
            }
            String type = switch (column) {
                case 3 -> "text";
                case 4 -> "numeric";
                default -> "bigint";
            };
            return connection.createArrayOf(type, values);
        }
    }

    /** A generation counter idle workers wait on, so a signal between "queue empty" and "wait" is never lost. */
    private static final class Wakeup {
        private long generation;

        synchronized long generation() {
            return generation;
        }

        synchronized void signal() {
            generation++;
            notifyAll();
        }

        synchronized void awaitChange(long seen, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (generation == seen) {
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
        }

        void sleep(Duration duration) {
            awaitChange(generation(), duration);
        }
    }
}
