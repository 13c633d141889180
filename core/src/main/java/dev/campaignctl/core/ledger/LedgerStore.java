package dev.campaignctl.core.ledger;

import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.idempotency.Created;
import dev.campaignctl.core.idempotency.IdempotencyKey;
import dev.campaignctl.core.idempotency.IdempotencyKeys;
import dev.campaignctl.core.idempotency.IdempotentRequest;
import dev.campaignctl.core.idempotency.Outcome;
import dev.campaignctl.core.json.Decimals;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Customers' points: balances, the append-only ledger, redemptions and their reversal, refunds
 * that reverse earnings (giving back budget and cap usage), manual adjustments, expiry, and a
 * verification of every balance and lot against the entries.
 *
 * <p>Every operation on a customer runs in one transaction that first locks the customer's balance
 * row, so concurrent redemptions, refunds, expiry and processing of one customer serialise there:
 * no lost update, and a redemption can never make a balance negative. Locks are taken in one
 * order — event, campaigns, then balances — the order the processor takes them in too.
 */
public final class LedgerStore {

    /** Most points one request may move. */
    static final BigDecimal MAX_POINTS = new BigDecimal("1000000000000");
    private static final int MAX_TEXT = 500;

    private final DataSource dataSource;
    private final Clock clock;

    public LedgerStore(DataSource dataSource) {
        this(dataSource, Clock.systemUTC());
    }

    LedgerStore(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public Balance balance(String customer) {
        checkCustomer(customer);
        return Jdbc.call(dataSource, connection -> balance(connection, customer));
    }

    /** Entries newest first, each with the lots it touched; {@code startingAfter} an entry id from a previous page. */
    public List<LedgerEntry> ledger(String customer, int limit, Long startingAfter) {
        checkCustomer(customer);
        return Jdbc.call(dataSource, connection -> {
            List<LedgerEntry> entries = new ArrayList<>();
            try (PreparedStatement ps = connection.prepareStatement("SELECT id, customer_id, type, points, event_id,"
                    + " earning_id, redemption_id, refund_id, campaign_id, reason, actor, created_at FROM ledger_entries"
                    // A bound, never "(? IS NULL OR id < ?)": the generic plan keeps it in the index scan.
                    + " WHERE customer_id = ? AND id < ? ORDER BY id DESC LIMIT ?")) {
                ps.setString(1, customer);
                ps.setLong(2, startingAfter == null ? Long.MAX_VALUE : startingAfter);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        entries.add(entry(rs));
                    }
                }
            }
            return withLots(connection, entries);
        });
    }

    /**
     * Spends {@code points} of the customer's available points, from the lots that expire first;
     * lots already past their expiry are expired first. A known {@code externalId} returns its
     * redemption (a retry) when the points are the same and is a conflict otherwise.
     *
     * @throws ApiException {@code insufficient_points} (409, with {@code available}) when the balance is smaller
     */
    public Redemption redeem(String customer, BigDecimal points, String reason, String externalId) {
        return redeem(customer, points, reason, externalId, null).value();
    }

    /** As {@link #redeem(String, BigDecimal, String, String)}, under an Idempotency-Key (null: none). */
    public Created<Redemption> redeem(String customer, BigDecimal points, String reason, String externalId,
                                      IdempotencyKey key) {
        checkCustomer(customer);
        checkPoints("points", points, false);
        checkText("reason", reason);
        checkText("external_id", externalId);
        IdempotentRequest request = IdempotentRequest.of(key, "redeem points of " + customer,
                new RedemptionRequest(points, reason, externalId));
        return IdempotencyKeys.transaction(dataSource, request, Redemption.class, connection ->
                new Created<>(redeemIn(connection, customer, points, reason, externalId), Outcome.CREATED));
    }

    /** @throws ApiException {@code insufficient_points} (409, with {@code available}) when fewer than {@code points} are available */
    private static void requireAvailable(String customer, BigDecimal available, BigDecimal points) {
        if (available.compareTo(points) < 0) {
            throw new ApiException(ErrorKind.CONFLICT, "insufficient_points", "customer " + customer + " has "
                    + Decimals.text(available.max(BigDecimal.ZERO)) + " points available, " + Decimals.text(points)
                    + " requested", Map.of("available", Decimals.plain(available)));
        }
    }

    private record RedemptionRequest(BigDecimal points, String reason, String externalId) {
    }

    private record RefundRequest(BigDecimal amount, String reason) {
    }

    private Redemption redeemIn(Connection connection, String customer, BigDecimal points, String reason,
                            String externalId) throws SQLException {
        if (externalId != null) {
            lockExternalId(connection, externalId);
        }
        BigDecimal available = Lots.lockForRedemption(connection, customer);
        // After the lock, which may have been waited for: a lot that expired meanwhile is due.
        Instant now = clock.instant();
        if (externalId != null) {
            Redemption known = findByExternalId(connection, externalId);
            if (known != null) {
                if (!known.customerId().equals(customer) || known.points().compareTo(points) != 0) {
                    throw ApiException.conflict("external_id", "redemption with external_id \"" + externalId
                            + "\" already exists (id " + known.id() + ") for other points or another customer");
                }
                return known;
            }
        }
        requireAvailable(customer, available, points);
        Lots.Redeemed redeemed = Lots.redeem(connection, customer, points, reason, externalId, now);
        if (redeemed == null) {
            // A lot was due: the redemption's statement wrote nothing. Expire, then ask again.
            available = available.subtract(Lots.expireDue(connection, customer, now));
            requireAvailable(customer, available, points);
            redeemed = Lots.redeem(connection, customer, points, reason, externalId, now);
            if (redeemed == null) {
                throw new IllegalStateException("customer " + customer + " still has lots due at " + now
                        + " after expiring them: the ledger is inconsistent (run ledger verify)");
            }
        }
        return new Redemption(redeemed.id(), customer, Decimals.plain(points), reason, externalId, false,
                redeemed.lots(), balance(connection, customer), now);
    }

    /**
     * Makes redemptions that name one external_id wait for each other, whichever customers they
     * are for (the balance lock orders only one customer's): the second then finds the first's row
     * and answers as a repeat or a conflict, where both would otherwise insert and one break the
     * unique index. Taken before the balance lock by every redemption that names one.
     */
    private static void lockExternalId(Connection connection, String externalId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT pg_advisory_xact_lock(hashtextextended('campaignctl.redemption:' || ?, 0))")) {
            ps.setString(1, externalId);
            ps.execute();
        }
    }

    /** Cancels a redemption: its points go back to the lots they came from, with their expiry. A second call changes nothing. */
    public Redemption reverseRedemption(long id) {
        return Jdbc.transaction(dataSource, connection -> {
            String customer = redemptionCustomer(connection, id);
            BigDecimal available = Lots.lockBalance(connection, customer);
            Redemption redemption = redemption(connection, id, true);
            if (redemption.reversed()) {
                return redemption;
            }
            BigDecimal points = redemption.points();
            long entry = Lots.entry(connection, customer, LedgerEntryType.REDEEM_REVERSE, points, null, null, id, null,
                    null, "redemption " + id + " reversed", null);
            List<LotChange> lots = Lots.giveBack(connection, redemption.lots(), Lots.intoLots(available, points), entry);
            Lots.addToBalance(connection, customer, points, "redeemed", points.negate());
            try (PreparedStatement ps = connection.prepareStatement(
                    "UPDATE redemptions SET reversed_by = ?, reversed_at = clock_timestamp() WHERE id = ?")) {
                ps.setLong(1, entry);
                ps.setLong(2, id);
                ps.executeUpdate();
            }
            return new Redemption(id, customer, points, redemption.reason(), redemption.externalId(), true, lots,
                    balance(connection, customer), redemption.createdAt());
        });
    }

    public Redemption redemption(long id) {
        return Jdbc.call(dataSource, connection -> redemption(connection, id, false));
    }

    /**
     * Refunds {@code amount} of a purchase (all that is left when null). A processed event's earnings
     * are reversed in proportion — over all refunds of the event never more than was earned — and
     * the campaign budget and per-customer cap usage they consumed are given back; the customer's
     * balance may go negative when the points were spent. An event not processed yet keeps the
     * refund, and the processor pays only the remainder.
     */
    public Refund refund(long eventId, BigDecimal amount, String reason) {
        return refund(eventId, amount, reason, null).value();
    }

    /** As {@link #refund(long, BigDecimal, String)}, under an Idempotency-Key (null: none). */
    public Created<Refund> refund(long eventId, BigDecimal amount, String reason, IdempotencyKey key) {
        if (amount != null) {
            checkPoints("amount", amount, false);
        }
        checkText("reason", reason);
        IdempotentRequest request = IdempotentRequest.of(key, "refund event " + eventId, new RefundRequest(amount, reason));
        return IdempotencyKeys.transaction(dataSource, request, Refund.class, connection ->
                new Created<>(Refunds.apply(connection, eventId, amount, reason), Outcome.CREATED));
    }

    /**
     * A refund inside the caller's transaction (the processor's, for refund events); the caller
     * holds no balance or campaign lock yet, so the lock order stays event, campaigns, balances.
     */
    public static Refund refundIn(Connection connection, long eventId, BigDecimal amount, String reason) throws SQLException {
        return Refunds.apply(connection, eventId, amount, reason);
    }

    /** A manual change (positive or negative) with a reason and who made it; a positive one is a lot that never expires. */
    public Adjustment adjust(String customer, BigDecimal points, String reason, String actor) {
        checkCustomer(customer);
        checkPoints("points", points, true);
        if (reason == null || reason.isBlank()) {
            throw ApiException.invalid("reason", "is required");
        }
        checkText("reason", reason);
        return Jdbc.transaction(dataSource, connection -> {
            BigDecimal available = Lots.lockBalance(connection, customer);
            long entry = Lots.entry(connection, customer, LedgerEntryType.ADJUST, points, null, null, null, null, null,
                    reason, actor);
            if (points.signum() > 0) {
                BigDecimal into = Lots.intoLots(available, points);
                if (into.signum() > 0) {
                    Lots.create(connection, customer, entry, null, null, into, null);
                }
            } else {
                Lots.take(connection, customer, Lots.outOfLots(available, points), null, entry);
            }
            Lots.addToBalance(connection, customer, points, "adjusted", points);
            return new Adjustment(entry, customer, Decimals.plain(points), reason, balance(connection, customer));
        });
    }

    /**
     * Turns every lot past its expiry at {@code now} into {@code expire} entries, one per customer,
     * each customer in a transaction of its own; returns the number of customers touched. Running
     * it again expires nothing more.
     */
    public int expire(Instant now) {
        List<String> customers = Jdbc.call(dataSource, connection -> {
            List<String> due = new ArrayList<>();
            try (PreparedStatement ps = connection.prepareStatement("SELECT DISTINCT customer_id FROM lots"
                    + " WHERE remaining > 0 AND expires_at <= ? ORDER BY customer_id")) {
                Jdbc.setInstant(ps, 1, now);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        due.add(rs.getString(1));
                    }
                }
            }
            return due;
        });
        int touched = 0;
        for (String customer : customers) {
            BigDecimal expired = Jdbc.transaction(dataSource, connection -> {
                Lots.lockBalance(connection, customer);
                return Lots.expireDue(connection, customer, now);
            });
            if (expired.signum() > 0) {
                touched++;
            }
        }
        return touched;
    }

    /** Recomputes every balance from its entries and every lot from its movements; names each mismatch. */
    public VerifyReport verify() {
        return Jdbc.call(dataSource, connection -> {
            List<String> mismatches = new ArrayList<>();
            collect(connection, mismatches, "SELECT 'customer ' || coalesce(b.customer_id, e.customer_id) || ': balance "
                    + "available ' || coalesce(b.available, 0) || ' but its entries sum to ' || coalesce(e.total, 0)"
                    + " FROM balances b FULL JOIN (SELECT customer_id, sum(points) AS total FROM ledger_entries"
                    + " GROUP BY customer_id) e ON e.customer_id = b.customer_id"
                    + " WHERE coalesce(b.available, 0) <> coalesce(e.total, 0)");
            collect(connection, mismatches, "SELECT 'customer ' || b.customer_id || ': lots hold ' || coalesce(l.total, 0)"
                    + " || ' but the balance asks for ' || greatest(b.available, 0) FROM balances b LEFT JOIN"
                    + " (SELECT customer_id, sum(remaining) AS total FROM lots GROUP BY customer_id) l"
                    + " ON l.customer_id = b.customer_id WHERE coalesce(l.total, 0) <> greatest(b.available, 0)");
            collect(connection, mismatches, "SELECT 'lot ' || l.id || ' of customer ' || l.customer_id || ': remaining '"
                    + " || l.remaining || ' but points and movements give ' || (l.points + coalesce(m.total, 0))"
                    + " FROM lots l LEFT JOIN (SELECT lot_id, sum(points) AS total FROM lot_movements GROUP BY lot_id) m"
                    + " ON m.lot_id = l.id WHERE l.remaining <> l.points + coalesce(m.total, 0)");
            collect(connection, mismatches, "SELECT 'customer ' || b.customer_id || ': ' || t.kind || ' total '"
                    + " || t.recorded || ' but entries give ' || t.computed FROM balances b CROSS JOIN LATERAL (VALUES"
                    + " ('earned', b.earned, (SELECT coalesce(sum(points), 0) FROM ledger_entries e WHERE e.customer_id"
                    + " = b.customer_id AND e.type = 'earn')),"
                    + " ('expired', b.expired, (SELECT coalesce(-sum(points), 0) FROM ledger_entries e WHERE e.customer_id"
                    + " = b.customer_id AND e.type = 'expire'))) AS t(kind, recorded, computed) WHERE t.recorded <> t.computed");
            collect(connection, mismatches, "SELECT 'earning ' || x.id || ': reversed ' || x.reversed || ' but its reverse"
                    + " entries sum to ' || coalesce(-r.total, 0) FROM earnings x LEFT JOIN (SELECT earning_id, sum(points)"
                    + " AS total FROM ledger_entries WHERE type = 'reverse' GROUP BY earning_id) r ON r.earning_id = x.id"
                    + " WHERE x.customer_id IS NOT NULL AND x.amount > 0 AND x.reversed <> coalesce(-r.total, 0)");
            collect(connection, mismatches, "SELECT 'earning ' || x.id || ': reversed ' || x.reversed || ' of '"
                    + " || x.amount || ' paid' FROM earnings x WHERE x.reversed > x.amount");
            return new VerifyReport(count(connection, "SELECT count(*) FROM balances"),
                    count(connection, "SELECT count(*) FROM ledger_entries"), count(connection, "SELECT count(*) FROM lots"),
                    mismatches);
        });
    }

    // ---- reading ----

    /** One query: the balance row and the earliest expiring lots. */
    static Balance balance(Connection connection, String customer) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT b.available, b.earned, b.redeemed, b.reversed,"
                + " b.expired, b.adjusted, b.updated_at, x.expires_at, x.points FROM (SELECT ?::text AS customer_id) AS c"
                + " LEFT JOIN balances b ON b.customer_id = c.customer_id"
                + " LEFT JOIN LATERAL (SELECT expires_at, sum(remaining) AS points FROM lots WHERE customer_id = c.customer_id"
                + " AND remaining > 0 AND expires_at IS NOT NULL GROUP BY expires_at ORDER BY expires_at LIMIT 1) x ON true")) {
            ps.setString(1, customer);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Balance.NextExpiry next = rs.getObject("expires_at") == null ? null
                        : new Balance.NextExpiry(Decimals.plain(rs.getBigDecimal("points")), Jdbc.instant(rs, "expires_at"));
                if (rs.getBigDecimal("available") == null) {
                    BigDecimal zero = BigDecimal.ZERO;
                    return new Balance(customer, zero, zero, zero, zero, zero, zero, false, next, null);
                }
                BigDecimal available = Decimals.plain(rs.getBigDecimal(1));
                return new Balance(customer, available, Decimals.plain(rs.getBigDecimal(2)),
                        Decimals.plain(rs.getBigDecimal(3)), Decimals.plain(rs.getBigDecimal(4)),
                        Decimals.plain(rs.getBigDecimal(5)), Decimals.plain(rs.getBigDecimal(6)), available.signum() < 0,
                        next, Jdbc.instant(rs, "updated_at"));
            }
        }
    }

    private static LedgerEntry entry(ResultSet rs) throws SQLException {
        return new LedgerEntry(rs.getLong("id"), rs.getString("customer_id"), rs.getString("type"),
                Decimals.plain(rs.getBigDecimal("points")), Jdbc.nullableLong(rs, "event_id"),
                Jdbc.nullableLong(rs, "earning_id"), Jdbc.nullableLong(rs, "redemption_id"),
                Jdbc.nullableLong(rs, "refund_id"), Jdbc.nullableLong(rs, "campaign_id"), rs.getString("reason"),
                rs.getString("actor"), Jdbc.instant(rs, "created_at"), List.of());
    }

    /** The entries with the lots each touched: its movements, and for an earn the lot it made. */
    private static List<LedgerEntry> withLots(Connection connection, List<LedgerEntry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return entries;
        }
        Map<Long, List<LotChange>> lots = new LinkedHashMap<>();
        Object[] ids = entries.stream().map(LedgerEntry::id).toArray();
        try (PreparedStatement ps = connection.prepareStatement("SELECT m.entry_id, m.lot_id, m.points, l.expires_at"
                + " FROM lot_movements m JOIN lots l ON l.id = m.lot_id WHERE m.entry_id = ANY(?)"
                + " UNION ALL SELECT l.entry_id, l.id, l.points, l.expires_at FROM lots l WHERE l.entry_id = ANY(?)"
                + " ORDER BY 2")) {
            ps.setArray(1, connection.createArrayOf("bigint", ids));
            ps.setArray(2, connection.createArrayOf("bigint", ids));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lots.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new LotChange(rs.getLong(2),
                            Decimals.plain(rs.getBigDecimal(3)), Jdbc.instant(rs, "expires_at")));
                }
            }
        }
        List<LedgerEntry> result = new ArrayList<>(entries.size());
        for (LedgerEntry e : entries) {
            result.add(new LedgerEntry(e.id(), e.customerId(), e.type(), e.points(), e.eventId(), e.earningId(),
                    e.redemptionId(), e.refundId(), e.campaignId(), e.reason(), e.actor(), e.createdAt(),
                    lots.getOrDefault(e.id(), List.of())));
        }
        return result;
    }

    private static String redemptionCustomer(Connection connection, long id) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT customer_id FROM redemptions WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("redemption", id);
                }
                return rs.getString(1);
            }
        }
    }

    private static Redemption redemption(Connection connection, long id, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT id, customer_id, points, reason, external_id,"
                + " entry_id, reversed_by, created_at FROM redemptions WHERE id = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("redemption", id);
                }
                return redemption(connection, rs);
            }
        }
    }

    private static Redemption findByExternalId(Connection connection, String externalId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT id, customer_id, points, reason, external_id,"
                + " entry_id, reversed_by, created_at FROM redemptions WHERE external_id = ?")) {
            ps.setString(1, externalId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? redemption(connection, rs) : null;
            }
        }
    }

    private static Redemption redemption(Connection connection, ResultSet rs) throws SQLException {
        long entry = rs.getLong("entry_id");
        List<LotChange> lots = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT m.lot_id, m.points, l.expires_at"
                + " FROM lot_movements m JOIN lots l ON l.id = m.lot_id WHERE m.entry_id = ? ORDER BY l.expires_at NULLS LAST, l.id")) {
            ps.setLong(1, entry);
            try (ResultSet moved = ps.executeQuery()) {
                while (moved.next()) {
                    lots.add(new LotChange(moved.getLong(1), Decimals.plain(moved.getBigDecimal(2)),
                            Jdbc.instant(moved, "expires_at")));
                }
            }
        }
        String customer = rs.getString("customer_id");
        return new Redemption(rs.getLong("id"), customer, Decimals.plain(rs.getBigDecimal("points")),
                rs.getString("reason"), rs.getString("external_id"), Jdbc.nullableLong(rs, "reversed_by") != null, lots,
                balance(connection, customer), Jdbc.instant(rs, "created_at"));
    }


    private static void collect(Connection connection, List<String> into, String query) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(query); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                into.add(rs.getString(1));
            }
        }
    }

    private static long count(Connection connection, String query) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(query); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ---- checks ----

    static void checkCustomer(String customer) {
        if (customer == null || customer.isBlank() || customer.length() > 200) {
            throw ApiException.invalid("customer_id", "must be 1 to 200 characters");
        }
    }

    /** Points: positive (or, for adjustments, non-zero), below 10^12, at most 4 decimals. */
    static void checkPoints(String field, BigDecimal points, boolean signed) {
        if (points == null) {
            throw ApiException.invalid(field, "is required");
        }
        Decimals.bounded(field, points);
        if (signed ? points.signum() == 0 : points.signum() <= 0) {
            throw ApiException.invalid(field, signed ? "must not be zero" : "must be positive, got " + Decimals.text(points));
        }
        if (points.abs().compareTo(MAX_POINTS) >= 0 || points.stripTrailingZeros().scale() > 4) {
            throw ApiException.invalid(field, "must be below 1000000000000 with at most 4 decimals");
        }
    }

    private static void checkText(String field, String text) {
        if (text != null && text.length() > MAX_TEXT) {
            throw ApiException.invalid(field, "must be at most " + MAX_TEXT + " characters");
        }
    }

    static BigDecimal proportion(BigDecimal points, BigDecimal part, BigDecimal whole) {
        return points.multiply(part).divide(whole, 4, RoundingMode.HALF_UP);
    }
}
