package dev.campaignctl.core.event;

import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.earning.Earning;
import dev.campaignctl.core.json.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Events and earnings in PostgreSQL: registration, look-ups and listings. Processing is {@link EventProcessor}'s. */
public final class EventStore {

    static final String EVENT_COLUMNS = "id, external_id, customer_id, merchant_id, amount, currency, occurred_at,"
            + " transaction_data::text AS transaction_data, status, matched_rule_id, failure_reason, note, created_at,"
            + " processed_at";
    private static final String EARNING_COLUMNS = "id, event_id, campaign_id, rule_id, customer_id, amount, created_at";

    private final DataSource dataSource;

    public EventStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores the event as pending. A known external_id returns the stored event (a retry) when the
     * payload is the same and fails with a conflict when it differs: never a second event.
     */
    public Registration register(NewEvent e) {
        return Jdbc.call(dataSource, connection -> {
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO events (external_id, customer_id,"
                    + " merchant_id, amount, currency, occurred_at, transaction_data)"
                    + " VALUES (?, ?, ?, ?, ?, COALESCE(?, now()), ?::jsonb)"
                    + " ON CONFLICT (external_id) DO NOTHING RETURNING " + EVENT_COLUMNS)) {
                ps.setString(1, e.externalId());
                ps.setString(2, e.customerId());
                ps.setString(3, e.merchantId());
                ps.setBigDecimal(4, e.amount());
                ps.setString(5, e.currency());
                Jdbc.setInstant(ps, 6, e.occurredAt());
                ps.setString(7, Json.write(e.transactionData()));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new Registration(event(rs).withEarnings(List.of()), false);
                    }
                }
            }
            Event existing = findByExternalId(connection, e.externalId());
            if (!e.samePayloadAs(existing)) {
                throw ApiException.conflict("external_id", "event with external_id \"" + e.externalId()
                        + "\" already exists (id " + existing.id() + ") with a different payload");
            }
            return new Registration(existing.withEarnings(earningsOf(connection, existing.id())), true);
        });
    }

    public Event get(long id) {
        return Jdbc.call(dataSource, connection -> {
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT " + EVENT_COLUMNS + " FROM events WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw ApiException.notFound("event", id);
                    }
                    return event(rs).withEarnings(earningsOf(connection, id));
                }
            }
        });
    }

    /** Events newest first, optionally of one status; earnings are left out (fetch one event for them). */
    public List<Event> list(EventStatus status, int limit) {
        return Jdbc.call(dataSource, connection -> {
            try (PreparedStatement ps = connection.prepareStatement("SELECT " + EVENT_COLUMNS + " FROM events"
                    + " WHERE (?::text IS NULL OR status = ?) ORDER BY id DESC LIMIT ?")) {
                String wire = status == null ? null : status.wire();
                ps.setString(1, wire);
                ps.setString(2, wire);
                ps.setInt(3, limit);
                List<Event> result = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(event(rs));
                    }
                }
                return result;
            }
        });
    }

    public List<Earning> earnings(Long campaignId, String customerId, int limit) {
        return Jdbc.call(dataSource, connection -> {
            try (PreparedStatement ps = connection.prepareStatement("SELECT " + EARNING_COLUMNS + " FROM earnings"
                    + " WHERE (?::bigint IS NULL OR campaign_id = ?) AND (?::text IS NULL OR customer_id = ?)"
                    + " ORDER BY id LIMIT ?")) {
                ps.setObject(1, campaignId);
                ps.setObject(2, campaignId);
                ps.setString(3, customerId);
                ps.setString(4, customerId);
                ps.setInt(5, limit);
                return earnings(ps);
            }
        });
    }

    public long countPending() {
        return Jdbc.call(dataSource, connection -> {
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT count(*) FROM events WHERE status = 'pending'");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static Event findByExternalId(Connection connection, String externalId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + EVENT_COLUMNS + " FROM events WHERE external_id = ?")) {
            ps.setString(1, externalId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("external_id " + externalId + " conflicted but is not stored");
                }
                return event(rs);
            }
        }
    }

    private static List<Earning> earningsOf(Connection connection, long eventId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + EARNING_COLUMNS + " FROM earnings WHERE event_id = ? ORDER BY id")) {
            ps.setLong(1, eventId);
            return earnings(ps);
        }
    }

    private static List<Earning> earnings(PreparedStatement ps) throws SQLException {
        List<Earning> result = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                result.add(new Earning(rs.getLong("id"), rs.getLong("event_id"), rs.getLong("campaign_id"),
                        rs.getLong("rule_id"), rs.getString("customer_id"), Jdbc.money(rs, "amount"),
                        Jdbc.instant(rs, "created_at")));
            }
        }
        return result;
    }

    static Event event(ResultSet rs) throws SQLException {
        return new Event(rs.getLong("id"), rs.getString("external_id"), rs.getString("customer_id"),
                rs.getString("merchant_id"), Jdbc.money(rs, "amount"), rs.getString("currency"),
                Jdbc.instant(rs, "occurred_at"), Json.tree(rs.getString("transaction_data")),
                EventStatus.parse("status", rs.getString("status")), Jdbc.nullableLong(rs, "matched_rule_id"),
                rs.getString("failure_reason"), rs.getString("note"), Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "processed_at"),
                null);
    }
}
