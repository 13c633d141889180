package dev.campaignctl.core.event;

import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.ledger.LedgerEarnings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The queue's SQL, all plain JDBC on the processor's own connections: claiming with
 * {@code FOR UPDATE SKIP LOCKED}, array-bound set-based writes and the advisory lock of one-shot
 * runs have no DbClient equivalent, and every statement runs inside the batch's one transaction.
 */
final class EventQueue {

    private EventQueue() {
    }

    private static final String CLAIMED_COLUMNS = "SELECT id, external_id, customer_id, merchant_id,"
            + " amount, currency, occurred_at, transaction_data::text AS transaction_data, refunded, refers_to FROM events";

    /**
     * Claims pending events: the oldest {@code batchSize}, or the given ids (null: the oldest). The
     * claim must walk the partial pending index in id order: right after a bulk ingest, before
     * ANALYZE has seen the new rows, the planner otherwise picks a bitmap scan of every pending row
     * plus a sort, per batch (measured: 14k instead of 21k events/s). The planner's defaults are
     * restored for the writes.
     */
    static List<ClaimedEvent> claim(Connection connection, List<Long> ids, int batchSize) throws SQLException {
        try (Statement planner = connection.createStatement()) {
            planner.execute("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off");
        }
        try {
            return ids == null ? claimOldest(connection, batchSize) : claimIds(connection, ids);
        } finally {
            try (Statement planner = connection.createStatement()) {
                planner.execute("SET LOCAL enable_bitmapscan = on; SET LOCAL enable_sort = on");
            }
        }
    }

    private static List<ClaimedEvent> claimOldest(Connection connection, int batchSize) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(CLAIMED_COLUMNS
                + " WHERE status = 'pending' ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED")) {
            ps.setInt(1, batchSize);
            return claimed(ps, batchSize);
        }
    }

    private static List<ClaimedEvent> claimIds(Connection connection, List<Long> ids) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(CLAIMED_COLUMNS
                + " WHERE id = ANY(?) AND status = 'pending' ORDER BY id FOR UPDATE SKIP LOCKED")) {
            ps.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
            return claimed(ps, ids.size());
        }
    }

    private static List<ClaimedEvent> claimed(PreparedStatement ps, int expected) throws SQLException {
        List<ClaimedEvent> events = new ArrayList<>(expected);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                events.add(new ClaimedEvent(rs.getLong("id"), rs.getString("external_id"), rs.getString("customer_id"),
                        rs.getString("merchant_id"), rs.getBigDecimal("amount"), rs.getString("currency"),
                        Jdbc.instant(rs, "occurred_at"), rs.getString("transaction_data"), rs.getBigDecimal("refunded"),
                        rs.getString("refers_to")));
            }
        }
        return events;
    }

    /** Each decided event's status, paying rule, failure and note, in one statement. */
    static void writeStatuses(Connection connection, List<Decision> decisions) throws SQLException {
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

    /**
     * The decisions' earnings in one statement, then their ledger entries and lots; returns what the
     * ledger needs to settle balances at the end of the transaction (null when nothing was paid).
     */
    static LedgerEarnings.Prepared writeEarnings(Connection connection, List<Decision> decisions) throws SQLException {
        List<Object> events = new ArrayList<>();
        List<Object> campaigns = new ArrayList<>();
        List<Object> rules = new ArrayList<>();
        List<Object> customers = new ArrayList<>();
        List<Object> amounts = new ArrayList<>();
        List<Object> gross = new ArrayList<>();
        List<Object> budgetCounted = new ArrayList<>();
        List<Object> capCounted = new ArrayList<>();
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
                budgetCounted.add(decision.budgetCounted[i]);
                capCounted.add(decision.capCounted[i]);
            }
        }
        if (events.isEmpty()) {
            return null;
        }
        List<LedgerEarnings.Earned> earned = new ArrayList<>(events.size());
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO earnings"
                + " (event_id, campaign_id, rule_id, customer_id, amount, gross, budget_counted, cap_counted)"
                + " SELECT u.e, u.c, u.r, u.cu, u.a, u.g, u.b, u.k"
                + " FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::numeric[], ?::numeric[], ?::boolean[], ?::boolean[])"
                + " AS u(e, c, r, cu, a, g, b, k) RETURNING id, event_id, campaign_id, customer_id, amount")) {
            ps.setArray(1, connection.createArrayOf("bigint", events.toArray()));
            ps.setArray(2, connection.createArrayOf("bigint", campaigns.toArray()));
            ps.setArray(3, connection.createArrayOf("bigint", rules.toArray()));
            ps.setArray(4, connection.createArrayOf("text", customers.toArray()));
            ps.setArray(5, connection.createArrayOf("numeric", amounts.toArray()));
            ps.setArray(6, connection.createArrayOf("numeric", gross.toArray()));
            ps.setArray(7, connection.createArrayOf("boolean", budgetCounted.toArray()));
            ps.setArray(8, connection.createArrayOf("boolean", capCounted.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    earned.add(new LedgerEarnings.Earned(rs.getLong(1), rs.getLong(2), rs.getLong(3),
                            rs.getString(4), rs.getBigDecimal(5)));
                }
            }
        }
        return LedgerEarnings.prepare(connection, earned);
    }

    /** Records one event as {@code failed} with its reason, unless another processor decided it meanwhile. */
    static boolean markFailed(Connection connection, long id, String reason) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE events SET status = 'failed',"
                + " failure_reason = ?, processed_at = clock_timestamp() WHERE id = ? AND status = 'pending'")) {
            ps.setString(1, reason);
            ps.setLong(2, id);
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * Takes the database-wide advisory lock that keeps one-shot runs (cron) from overlapping; null
     * when another run holds it. The lock lives as long as the returned connection.
     */
    static Connection tryExclusiveRun(Database database) {
        try {
            Connection connection = database.dedicatedConnection();
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery(
                         "SELECT pg_try_advisory_lock(hashtext('campaignctl.process-events'))")) {
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
}
