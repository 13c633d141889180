package dev.campaignctl.core.ledger;

import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Decimals;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A refund inside a transaction: the event locked, the refunded amount recorded on it, and for a
 * processed event each earning reversed to its share of the refunded total.
 *
 * <p>Rounding: an earning of {@code gross} points, of an event of {@code amount} with {@code refunded}
 * refunded in all, is owed back {@code min(gross, round_half_up(gross * refunded / amount, 4))};
 * what was withheld when it was paid (a refund before processing) and what earlier refunds took
 * back count against that, so the sum of all reversals never exceeds what was paid, and a full
 * refund takes back exactly all of it.
 */
final class Refunds {

    private Refunds() {
    }

    private record Earning(long id, long campaignId, String customer, BigDecimal paid, BigDecimal gross, BigDecimal reversed,
                           boolean budgetCounted, boolean capCounted) {
    }

    static Refund apply(Connection connection, long eventId, BigDecimal requested, String reason)
            throws SQLException {
        BigDecimal amount;
        BigDecimal refunded;
        String status;
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT amount, refunded, status, type FROM events WHERE id = ? FOR UPDATE")) {
            ps.setLong(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("event", eventId);
                }
                if ("refund".equals(rs.getString(4))) {
                    throw ApiException.conflict(null, "event " + eventId + " is a refund; refund the purchase it refers to");
                }
                amount = rs.getBigDecimal(1);
                refunded = rs.getBigDecimal(2);
                status = rs.getString(3);
            }
        }
        BigDecimal left = amount.subtract(refunded);
        BigDecimal refund = requested == null ? left : requested;
        if (left.signum() <= 0) {
            throw ApiException.conflict("amount", "event " + eventId + " is already refunded in full");
        }
        if (refund.compareTo(left) > 0) {
            throw ApiException.conflict("amount", "at most " + Decimals.text(left) + " of event " + eventId
                    + " is left to refund, got " + Decimals.text(refund));
        }
        BigDecimal total = refunded.add(refund);
        try (PreparedStatement ps = connection.prepareStatement("UPDATE events SET refunded = ? WHERE id = ?")) {
            ps.setBigDecimal(1, total);
            ps.setLong(2, eventId);
            ps.executeUpdate();
        }
        long refundId;
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO refunds (event_id, amount, reason) VALUES (?, ?, ?) RETURNING id")) {
            ps.setLong(1, eventId);
            ps.setBigDecimal(2, refund);
            ps.setString(3, reason);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                refundId = rs.getLong(1);
            }
        }
        BigDecimal reversedPoints = BigDecimal.ZERO;
        String customer = null;
        if (status.equals("processed")) {
            // Every campaign first (in id order, as the earnings come), then the customer's balance:
            // the order the processor locks them in, so the two never wait on each other in a cycle.
            Map<Earning, BigDecimal> reversals = new LinkedHashMap<>();
            for (Earning earning : earnings(connection, eventId)) {
                BigDecimal owed = earning.gross().min(LedgerStore.proportion(earning.gross(), total, amount));
                BigDecimal accounted = earning.gross().subtract(earning.paid()).add(earning.reversed());
                BigDecimal back = owed.subtract(accounted).max(BigDecimal.ZERO);
                if (back.signum() > 0) {
                    giveBackLimits(connection, earning, back);
                    reversals.put(earning, back);
                    reversedPoints = reversedPoints.add(back);
                }
                customer = earning.customer();
            }
            for (Map.Entry<Earning, BigDecimal> reversal : reversals.entrySet()) {
                reverseInLedger(connection, eventId, refundId, reversal.getKey(), reversal.getValue(), reason);
            }
        }
        try (PreparedStatement ps = connection.prepareStatement("UPDATE refunds SET reversed_points = ? WHERE id = ?")) {
            ps.setBigDecimal(1, reversedPoints);
            ps.setLong(2, refundId);
            ps.executeUpdate();
        }
        return new Refund(refundId, eventId, Decimals.plain(refund), Decimals.plain(reversedPoints),
                customer == null ? null : LedgerStore.balance(connection, customer));
    }

    /** The event's earnings, locked, campaigns in id order (the order the processor locks them in). */
    private static List<Earning> earnings(Connection connection, long eventId) throws SQLException {
        List<Earning> earnings = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT id, campaign_id, customer_id, amount,"
                + " coalesce(gross, amount), reversed, budget_counted, cap_counted FROM earnings WHERE event_id = ?"
                + " ORDER BY campaign_id, id FOR UPDATE")) {
            ps.setLong(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    earnings.add(new Earning(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getBigDecimal(4),
                            rs.getBigDecimal(5), rs.getBigDecimal(6), rs.getBoolean(7), rs.getBoolean(8)));
                }
            }
        }
        return earnings;
    }

    /**
     * Takes {@code back} points of one earning: its reversed total, and the campaign's budget and the
     * customer's cap usage given back, each only if the earning was counted in it when it was paid
     * (an earning paid before the campaign had limits used none of a budget added later).
     */
    private static void giveBackLimits(Connection connection, Earning earning, BigDecimal back) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE earnings SET reversed = reversed + ? WHERE id = ?")) {
            ps.setBigDecimal(1, back);
            ps.setLong(2, earning.id());
            ps.executeUpdate();
        }
        if (earning.budgetCounted()) {
            try (PreparedStatement ps = connection.prepareStatement("UPDATE campaigns SET budget_spent = greatest(budget_spent - ?, 0)"
                    + " WHERE id = ?")) {
                ps.setBigDecimal(1, back);
                ps.setLong(2, earning.campaignId());
                ps.executeUpdate();
            }
        }
        if (earning.customer() == null || !earning.capCounted()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement("UPDATE campaign_customer_spend SET spent = greatest(spent - ?, 0)"
                + " WHERE campaign_id = ? AND customer_id = ?")) {
            ps.setBigDecimal(1, back);
            ps.setLong(2, earning.campaignId());
            ps.setString(3, earning.customer());
            ps.executeUpdate();
        }
    }

    /**
     * For an earning with a customer, a {@code reverse} entry of {@code back} points that empties the
     * earning's own lot first, then the lots that expire first (the balance may go negative).
     */
    private static void reverseInLedger(Connection connection, long eventId, long refundId, Earning earning,
                                        BigDecimal back, String reason) throws SQLException {
        if (earning.customer() == null) {
            return;
        }
        BigDecimal available = Lots.lockBalance(connection, earning.customer());
        long entry = Lots.entry(connection, earning.customer(), LedgerEntryType.REVERSE, back.negate(), eventId,
                earning.id(), null, refundId, earning.campaignId(), reason == null ? "refund " + refundId : reason, null);
        Long ownLot = openLotOf(connection, earning.customer(), earning.id());
        Lots.take(connection, earning.customer(), Lots.outOfLots(available, back.negate()), ownLot, entry);
        Lots.addToBalance(connection, earning.customer(), back.negate(), "reversed", back);
    }

    /** The earning's lot while it still holds points (a refund takes from it first); null once spent. */
    private static Long openLotOf(Connection connection, String customer, long earningId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT id FROM lots WHERE customer_id = ? AND remaining > 0 AND earning_id = ?")) {
            ps.setString(1, customer);
            ps.setLong(2, earningId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }
}
