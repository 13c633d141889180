package dev.campaignctl.core.event;

import dev.campaignctl.core.db.Row;
import dev.campaignctl.core.earning.Earning;
import dev.campaignctl.core.json.Json;
import java.sql.SQLException;

/**
 * The one mapping of event and earning rows, for reads through DbClient and for registration's
 * JDBC statements alike.
 */
final class EventRows {

    static final String EVENT_COLUMNS = "id, external_id, customer_id, merchant_id, amount, currency, occurred_at, type,"
            + " refers_to, refunded,"
            + " transaction_data::text AS transaction_data, status, matched_rule_id, failure_reason, note, created_at,"
            + " processed_at";
    static final String EARNING_COLUMNS = "id, event_id, campaign_id, rule_id, customer_id, amount, created_at";

    private EventRows() {
    }

    /** An event without its earnings (null); {@link Event#withEarnings} adds them. */
    static Event event(Row row) throws SQLException {
        return new Event(row.longValue("id"), row.string("external_id"), row.string("customer_id"),
                row.string("merchant_id"), row.money("amount"), row.string("currency"),
                row.instant("occurred_at"), Json.tree(row.string("transaction_data")),
                EventStatus.parse("status", row.string("status")), row.nullableLong("matched_rule_id"),
                row.string("failure_reason"), row.string("note"), row.instant("created_at"), row.instant("processed_at"),
                null, row.string("type"), row.string("refers_to"), row.decimal("refunded"));
    }

    static Earning earning(Row row) throws SQLException {
        return new Earning(row.longValue("id"), row.longValue("event_id"), row.longValue("campaign_id"),
                row.longValue("rule_id"), row.string("customer_id"), row.money("amount"), row.instant("created_at"));
    }
}
