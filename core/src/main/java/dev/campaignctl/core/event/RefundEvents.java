package dev.campaignctl.core.event;

import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Decimals;
import dev.campaignctl.core.ledger.LedgerStore;
import dev.campaignctl.core.ledger.Refund;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Refunds that arrive as events ({@code "type": "refund", "refers_to": "<purchase external_id>"}),
 * applied by the processor, each in a transaction of its own after the batch that claimed it, exactly
 * as {@code POST /events/{id}/refunds} would: the refund event becomes {@code processed} with a note of what it reversed, or
 * {@code failed} with the reason (no such purchase, more than is left to refund).
 */
final class RefundEvents {

    private RefundEvents() {
    }

    static EventProcessor.Outcome apply(Connection connection, ClaimedEvent refund) throws SQLException {
        Long purchase = purchase(connection, refund.refersTo());
        String failure = null;
        String note = null;
        if (purchase == null) {
            failure = "refers_to \"" + refund.refersTo() + "\": no purchase has that external_id";
        } else {
            try {
                Refund result = LedgerStore.refundIn(connection, purchase, refund.amount(), "refund event " + refund.id());
                note = "refunded " + Decimals.text(result.amount()) + " of event " + purchase + ": "
                        + Decimals.text(result.reversedPoints()) + " points reversed (refund " + result.refundId() + ")";
            } catch (ApiException e) {
                failure = e.oneLine();
            }
        }
        try (PreparedStatement ps = connection.prepareStatement("UPDATE events SET status = ?, failure_reason = ?,"
                + " note = ?, processed_at = clock_timestamp() WHERE id = ?")) {
            ps.setString(1, (failure == null ? EventStatus.PROCESSED : EventStatus.FAILED).wire());
            ps.setString(2, failure);
            ps.setString(3, note);
            ps.setLong(4, refund.id());
            ps.executeUpdate();
        }
        return failure == null ? new EventProcessor.Outcome(1, 1, 0, 0) : new EventProcessor.Outcome(1, 0, 0, 1);
    }

    private static Long purchase(Connection connection, String externalId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT id FROM events WHERE external_id = ? AND type = 'purchase'")) {
            ps.setString(1, externalId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }
}
