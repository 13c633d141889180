package dev.campaignctl.core.ledger;

import dev.campaignctl.core.db.Jdbc;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL that keeps one customer's lots and balance in step, inside a transaction that holds the
 * customer's balance row: the lots always hold {@code max(available, 0)} points between them, so a
 * change of {@code delta} points moves {@code max(available + delta, 0) - max(available, 0)} points
 * into or out of lots, and a negative balance (a debt) is held by no lot.
 */
final class Lots {

    private Lots() {
    }

    /** The customer's balance row, created at zero when absent, locked until the transaction ends; its available points. */
    static BigDecimal lockBalance(Connection connection, String customer) throws SQLException {
        BigDecimal available = lockedAvailable(connection, customer);
        if (available != null) {
            return available;
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO balances (customer_id) VALUES (?) ON CONFLICT (customer_id) DO NOTHING")) {
            insert.setString(1, customer);
            insert.executeUpdate();
        }
        return lockedAvailable(connection, customer);
    }

    private static BigDecimal lockedAvailable(Connection connection, String customer) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT available FROM balances WHERE customer_id = ? FOR UPDATE")) {
            ps.setString(1, customer);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBigDecimal(1) : null;
            }
        }
    }

    /**
     * Locks the customer's balance row, if there is one, and returns its available points (zero
     * without a row: the customer holds no lots, nothing is locked, and a redemption fails for want
     * of points, ordered before any later first deposit). Nothing else is read here: a statement
     * that waited for the lock keeps the snapshot it started with for everything but the locked row,
     * so what the lots hold is read by the next statement, which starts after the lock is held.
     */
    static BigDecimal lockForRedemption(Connection connection, String customer) throws SQLException {
        BigDecimal available = lockedAvailable(connection, customer);
        return available == null ? BigDecimal.ZERO : available;
    }

    /** A redemption as written: its id and the lots it drew from, in the order it drew; null when a lot was due to expire. */
    record Redeemed(long id, List<LotChange> lots) {
    }

    /**
     * Writes a redemption of {@code points} (at most the customer's available points, checked by
     * the caller under the balance lock) in one statement: the redemption, its {@code redeem} entry,
     * the points taken from the lots that expire first (no expiry last, then the oldest), their
     * movements and the balance. One round trip instead of one per step: at 64 clients a redemption
     * is bound by round trips, not by the work in each. When a lot is past its expiry at
     * {@code now}, nothing is written and null returned: the caller expires what is due and asks again.
     */
    static Redeemed redeem(Connection connection, String customer, BigDecimal points, String reason, String externalId,
                           Instant now) throws SQLException {
        long id = 0;
        boolean clear = false;
        BigDecimal taken = BigDecimal.ZERO;
        List<LotChange> lots = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("WITH r AS ("
                + " SELECT nextval(pg_get_serial_sequence('redemptions', 'id')) AS id),"
                // No lot past its expiry: a redemption never spends points that are due to expire.
                + " d AS (SELECT NOT EXISTS (SELECT 1 FROM lots WHERE customer_id = ? AND remaining > 0 AND expires_at <= ?) AS clear),"
                + " locked AS (SELECT id, remaining, expires_at FROM lots WHERE customer_id = ? AND remaining > 0"
                + " AND (SELECT clear FROM d) FOR UPDATE),"
                // Each lot gives what is still wanted after the lots before it in FIFO order, at most its remaining.
                + " fifo AS (SELECT id, expires_at, least(remaining, greatest(?::numeric - (sum(remaining) OVER w - remaining), 0))"
                + " AS taken FROM locked WINDOW w AS (ORDER BY expires_at NULLS LAST, id)),"
                + " t AS (SELECT * FROM fifo WHERE taken > 0),"
                + " entry AS (INSERT INTO ledger_entries (customer_id, type, points, redemption_id, reason)"
                + " SELECT ?, 'redeem', -?::numeric, r.id, ? FROM r, d WHERE d.clear RETURNING id),"
                + " moved AS (UPDATE lots l SET remaining = l.remaining - t.taken FROM t WHERE l.id = t.id),"
                + " movements AS (INSERT INTO lot_movements (entry_id, lot_id, points) SELECT entry.id, t.id, -t.taken FROM entry, t),"
                + " spent AS (UPDATE balances SET available = available - ?::numeric, redeemed = redeemed + ?::numeric,"
                + " updated_at = clock_timestamp() WHERE customer_id = ? AND (SELECT clear FROM d)),"
                + " saved AS (INSERT INTO redemptions (id, customer_id, points, reason, external_id, entry_id)"
                + " OVERRIDING SYSTEM VALUE SELECT r.id, ?, ?, ?, ?, entry.id FROM r, entry)"
                + " SELECT r.id, d.clear, t.id, t.taken, t.expires_at FROM r CROSS JOIN d LEFT JOIN t ON true"
                + " ORDER BY t.expires_at NULLS LAST, t.id")) {
            int i = 0;
            ps.setString(++i, customer);
            Jdbc.setInstant(ps, ++i, now);
            ps.setString(++i, customer);
            ps.setBigDecimal(++i, points);
            ps.setString(++i, customer);
            ps.setBigDecimal(++i, points);
            ps.setString(++i, reason);
            ps.setBigDecimal(++i, points);
            ps.setBigDecimal(++i, points);
            ps.setString(++i, customer);
            ps.setString(++i, customer);
            ps.setBigDecimal(++i, points);
            ps.setString(++i, reason);
            ps.setString(++i, externalId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    id = rs.getLong(1);
                    clear = rs.getBoolean(2);
                    BigDecimal lot = rs.getBigDecimal(4);
                    if (lot != null) {
                        lots.add(new LotChange(rs.getLong(3), lot.negate(), Jdbc.instant(rs, "expires_at")));
                        taken = taken.add(lot);
                    }
                }
            }
        }
        if (!clear) {
            return null;
        }
        if (taken.compareTo(points) != 0) {
            throw new IllegalStateException("customer " + customer + "'s lots hold " + taken + " points, " + points
                    + " expected: the ledger is inconsistent (run ledger verify)");
        }
        return new Redeemed(id, lots);
    }

    /** Adds {@code delta} to the balance's available points and to the total of {@code column}. */
    static void addToBalance(Connection connection, String customer, BigDecimal delta, String column, BigDecimal total)
            throws SQLException {
        // column is one of ours (earned, redeemed, ...), never input.
        try (PreparedStatement ps = connection.prepareStatement("UPDATE balances SET available = available + ?, "
                + column + " = " + column + " + ?, updated_at = clock_timestamp() WHERE customer_id = ?")) {
            ps.setBigDecimal(1, delta);
            ps.setBigDecimal(2, total);
            ps.setString(3, customer);
            ps.executeUpdate();
        }
    }

    /** Points that leave the lots when {@code available} changes by {@code delta} (negative). */
    static BigDecimal outOfLots(BigDecimal available, BigDecimal delta) {
        return available.max(BigDecimal.ZERO).subtract(available.add(delta).max(BigDecimal.ZERO));
    }

    /** Points that enter the lots when {@code available} changes by {@code delta} (positive). */
    static BigDecimal intoLots(BigDecimal available, BigDecimal delta) {
        return available.add(delta).max(BigDecimal.ZERO).subtract(available.max(BigDecimal.ZERO));
    }

    /**
     * Takes {@code amount} points from the customer's lots for {@code entryId}: from {@code preferred}
     * first (a refund's own earning), then from the lots that expire first (no expiry last), then
     * the oldest; records each as a movement.
     */
    static List<LotChange> take(Connection connection, String customer, BigDecimal amount, Long preferred, long entryId)
            throws SQLException {
        List<LotChange> changes = new ArrayList<>();
        if (amount.signum() <= 0) {
            return changes;
        }
        BigDecimal left = amount;
        try (PreparedStatement ps = connection.prepareStatement("SELECT id, remaining, expires_at FROM lots"
                + " WHERE customer_id = ? AND remaining > 0"
                + " ORDER BY (id = ?) DESC, expires_at NULLS LAST, id FOR UPDATE")) {
            ps.setString(1, customer);
            ps.setLong(2, preferred == null ? -1 : preferred);
            try (ResultSet rs = ps.executeQuery()) {
                while (left.signum() > 0 && rs.next()) {
                    BigDecimal taken = rs.getBigDecimal(2).min(left);
                    changes.add(new LotChange(rs.getLong(1), taken.negate(), Jdbc.instant(rs, "expires_at")));
                    left = left.subtract(taken);
                }
            }
        }
        if (left.signum() > 0) {
            throw new IllegalStateException("customer " + customer + "'s lots hold " + amount.subtract(left)
                    + " points, " + amount + " expected: the ledger is inconsistent (run ledger verify)");
        }
        move(connection, entryId, changes);
        return changes;
    }

    /** Puts back up to each change's points (negated) into its lot, {@code amount} in all, in order; for {@code entryId}. */
    static List<LotChange> giveBack(Connection connection, List<LotChange> taken, BigDecimal amount, long entryId)
            throws SQLException {
        List<LotChange> changes = new ArrayList<>();
        BigDecimal left = amount;
        for (LotChange change : taken) {
            if (left.signum() <= 0) {
                break;
            }
            BigDecimal back = change.points().negate().min(left);
            changes.add(new LotChange(change.lotId(), back, change.expiresAt()));
            left = left.subtract(back);
        }
        move(connection, entryId, changes);
        return changes;
    }

    private static void move(Connection connection, long entryId, List<LotChange> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        Object[] lots = new Object[changes.size()];
        Object[] points = new Object[changes.size()];
        for (int i = 0; i < changes.size(); i++) {
            lots[i] = changes.get(i).lotId();
            points[i] = changes.get(i).points();
        }
        // One round trip: the lots' remaining points and the movements that explain them.
        try (PreparedStatement ps = connection.prepareStatement("WITH m AS (SELECT * FROM unnest(?::bigint[], ?::numeric[])"
                + " AS m(lot, points)), moved AS (UPDATE lots l SET remaining = l.remaining + m.points FROM m"
                + " WHERE l.id = m.lot) INSERT INTO lot_movements (entry_id, lot_id, points) SELECT ?, m.lot, m.points FROM m")) {
            ps.setArray(1, connection.createArrayOf("bigint", lots));
            ps.setArray(2, connection.createArrayOf("numeric", points));
            ps.setLong(3, entryId);
            ps.executeUpdate();
        }
    }

    /** A new lot of {@code points} (positive) for an entry; its expiry from {@code expiresAt} (null: never). */
    static LotChange create(Connection connection, String customer, long entryId, Long earningId, Long campaignId,
                            BigDecimal points, Instant expiresAt) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO lots (customer_id, entry_id, earning_id,"
                + " campaign_id, points, remaining, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
            ps.setString(1, customer);
            ps.setLong(2, entryId);
            ps.setObject(3, earningId);
            ps.setObject(4, campaignId);
            ps.setBigDecimal(5, points);
            ps.setBigDecimal(6, points);
            Jdbc.setInstant(ps, 7, expiresAt);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new LotChange(rs.getLong(1), points, expiresAt);
            }
        }
    }

    /** Appends an entry and returns its id. */
    static long entry(Connection connection, String customer, LedgerEntryType type, BigDecimal points, Long eventId,
                      Long earningId, Long redemptionId, Long refundId, Long campaignId, String reason, String actor)
            throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO ledger_entries (customer_id, type, points,"
                + " event_id, earning_id, redemption_id, refund_id, campaign_id, reason, actor)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
            ps.setString(1, customer);
            ps.setString(2, type.wire());
            ps.setBigDecimal(3, points);
            ps.setObject(4, eventId);
            ps.setObject(5, earningId);
            ps.setObject(6, redemptionId);
            ps.setObject(7, refundId);
            ps.setObject(8, campaignId);
            ps.setString(9, reason);
            ps.setString(10, actor);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Expires the customer's lots due at {@code now} in one entry; returns the points expired (zero: none). */
    static BigDecimal expireDue(Connection connection, String customer, Instant now) throws SQLException {
        List<LotChange> due = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        try (PreparedStatement ps = connection.prepareStatement("SELECT id, remaining, expires_at FROM lots"
                + " WHERE customer_id = ? AND remaining > 0 AND expires_at <= ? ORDER BY expires_at, id FOR UPDATE")) {
            ps.setString(1, customer);
            Jdbc.setInstant(ps, 2, now);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    due.add(new LotChange(rs.getLong(1), rs.getBigDecimal(2).negate(), Jdbc.instant(rs, "expires_at")));
                    total = total.add(rs.getBigDecimal(2));
                }
            }
        }
        if (due.isEmpty()) {
            return BigDecimal.ZERO;
        }
        long entry = entry(connection, customer, LedgerEntryType.EXPIRE, total.negate(), null, null, null, null, null,
                "expired", null);
        move(connection, entry, due);
        addToBalance(connection, customer, total.negate(), "expired", total);
        return total;
    }
}
