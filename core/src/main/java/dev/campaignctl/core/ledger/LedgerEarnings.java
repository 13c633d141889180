package dev.campaignctl.core.ledger;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The processor's side of the ledger: the earnings of a batch become {@code earn} entries, lots and
 * balance changes in the batch's own transaction, with a few set-based statements for the whole
 * batch. A customer in debt (a negative balance after a refund of spent points) pays it first:
 * only what exceeds the debt goes into lots.
 */
public final class LedgerEarnings {

    /** One earning as written: whose points, how many, from which event, earning and campaign. */
    public record Earned(long earningId, long eventId, long campaignId, String customerId, BigDecimal points) {
    }

    private LedgerEarnings() {
    }

    /**
     * What a batch wrote to the ledger before settling balances: the earnings with a customer and
     * points, and the lot each made.
     */
    public record Prepared(List<Earned> owned, List<long[]> lots) {
    }

    /**
     * Records the earnings' entries and lots (those without a customer or without points are not
     * ledger business), without touching balances: the caller settles them with {@link #settle}
     * as the last statement of its transaction, so each customer's balance row stays locked for as
     * short a time as possible (two processors paying one customer wait on that row).
     */
    public static Prepared prepare(Connection connection, List<Earned> earnings) throws SQLException {
        List<Earned> owned = new ArrayList<>(earnings.size());
        for (Earned earned : earnings) {
            if (earned.customerId() != null && earned.points().signum() > 0) {
                owned.add(earned);
            }
        }
        if (owned.isEmpty()) {
            return new Prepared(owned, List.of());
        }
        return new Prepared(owned, entriesAndLots(connection, owned));
    }

    /**
     * Adds the batch's earnings to each customer's balance; a customer who was in debt (a negative
     * balance after a refund of spent points) pays it first, out of this batch's lots.
     */
    public static void settle(Connection connection, Prepared prepared) throws SQLException {
        if (prepared.owned().isEmpty()) {
            return;
        }
        Map<String, BigDecimal> debt = balances(connection, prepared.owned());
        if (debt.values().stream().allMatch(d -> d.signum() == 0)) {
            return;
        }
        Map<Long, Earned> byEarning = new HashMap<>();
        for (Earned e : prepared.owned()) {
            byEarning.put(e.earningId(), e);
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE lots SET points = points - ?, remaining = remaining - ? WHERE id = ?")) {
            for (long[] lot : prepared.lots()) {
                Earned e = byEarning.get(lot[1]);
                BigDecimal owed = debt.getOrDefault(e.customerId(), BigDecimal.ZERO);
                if (owed.signum() == 0) {
                    continue;
                }
                BigDecimal paid = owed.min(e.points());
                debt.put(e.customerId(), owed.subtract(paid));
                ps.setBigDecimal(1, paid);
                ps.setBigDecimal(2, paid);
                ps.setLong(3, lot[0]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Adds each customer's earnings to their balance (rows locked in customer order, as every other
     * writer of balances locks one customer) and returns each customer's debt before the batch.
     */
    private static Map<String, BigDecimal> balances(Connection connection, List<Earned> owned) throws SQLException {
        Map<String, BigDecimal> delta = new TreeMap<>();
        for (Earned e : owned) {
            delta.merge(e.customerId(), e.points(), BigDecimal::add);
        }
        Map<String, BigDecimal> debt = new HashMap<>(delta.size() * 2);
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO balances (customer_id, available, earned)"
                + " SELECT u.c, u.p, u.p FROM unnest(?::text[], ?::numeric[]) WITH ORDINALITY AS u(c, p, o) ORDER BY u.o"
                + " ON CONFLICT (customer_id) DO UPDATE SET available = balances.available + excluded.available,"
                + " earned = balances.earned + excluded.earned, updated_at = clock_timestamp()"
                + " RETURNING customer_id, available")) {
            ps.setArray(1, connection.createArrayOf("text", delta.keySet().toArray()));
            ps.setArray(2, connection.createArrayOf("numeric", delta.values().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    BigDecimal before = rs.getBigDecimal(2).subtract(delta.get(rs.getString(1)));
                    debt.put(rs.getString(1), before.negate().max(BigDecimal.ZERO));
                }
            }
        }
        return debt;
    }

    /**
     * One {@code earn} entry and one lot per earning, in one statement (the entries feed the lots'
     * insert): the lot holds all the earning's points (a debt is taken out of them when balances
     * settle) and expires after its campaign's points_valid_for. Returns {lot id, earning id} in
     * the order the earnings were paid, so the first ones pay a debt first.
     */
    private static List<long[]> entriesAndLots(Connection connection, List<Earned> owned) throws SQLException {
        int n = owned.size();
        Object[] customers = new Object[n];
        Object[] points = new Object[n];
        Object[] events = new Object[n];
        Object[] earnings = new Object[n];
        Object[] campaigns = new Object[n];
        Map<Long, Integer> order = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            Earned e = owned.get(i);
            customers[i] = e.customerId();
            points[i] = e.points();
            events[i] = e.eventId();
            earnings[i] = e.earningId();
            campaigns[i] = e.campaignId();
            order.put(e.earningId(), i);
        }
        List<long[]> lots = new ArrayList<>(n);
        try (PreparedStatement ps = connection.prepareStatement("WITH entries AS ("
                + " INSERT INTO ledger_entries (customer_id, type, points, event_id, earning_id, campaign_id)"
                + " SELECT u.c, 'earn', u.p, u.e, u.x, u.k"
                + " FROM unnest(?::text[], ?::numeric[], ?::bigint[], ?::bigint[], ?::bigint[]) AS u(c, p, e, x, k)"
                + " RETURNING id, customer_id, points, earning_id, campaign_id)"
                + " INSERT INTO lots (customer_id, entry_id, earning_id, campaign_id, points, remaining, expires_at)"
                + " SELECT en.customer_id, en.id, en.earning_id, en.campaign_id, en.points, en.points,"
                + " now() + c.points_valid_for::interval"
                + " FROM entries en LEFT JOIN campaigns c ON c.id = en.campaign_id RETURNING id, earning_id")) {
            ps.setArray(1, connection.createArrayOf("text", customers));
            ps.setArray(2, connection.createArrayOf("numeric", points));
            ps.setArray(3, connection.createArrayOf("bigint", events));
            ps.setArray(4, connection.createArrayOf("bigint", earnings));
            ps.setArray(5, connection.createArrayOf("bigint", campaigns));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lots.add(new long[] {rs.getLong(1), rs.getLong(2)});
                }
            }
        }
        lots.sort(Comparator.comparingInt(lot -> order.get(lot[1])));
        return lots;
    }
}
