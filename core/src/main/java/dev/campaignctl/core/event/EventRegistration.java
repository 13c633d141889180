package dev.campaignctl.core.event;

import static dev.campaignctl.core.event.EventRows.EVENT_COLUMNS;

import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.db.Row;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorBody;
import dev.campaignctl.core.idempotency.Created;
import dev.campaignctl.core.idempotency.IdempotencyKeys;
import dev.campaignctl.core.idempotency.IdempotentRequest;
import dev.campaignctl.core.idempotency.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Registration of events: one at a time (also under an Idempotency-Key) and in batches of one
 * multi-row insert. A known external_id is never a second event: the same payload is a duplicate,
 * another payload a conflict. Plain JDBC throughout: its statements share transactions with
 * {@link GroupRegistrar} and bind SQL arrays, which DbClient cannot create.
 */
public final class EventRegistration {

    private final DataSource dataSource;

    public EventRegistration(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores the event as pending. A known external_id returns the stored event (a retry) when the
     * payload is the same and fails with a conflict when it differs: never a second event.
     */
    public Registration register(NewEvent e) {
        // JDBC: its statements are shared with GroupRegistrar's batch transaction, which stays JDBC (arrays).
        return Jdbc.call(dataSource, connection -> register(connection, e));
    }

    /**
     * The same under an Idempotency-Key, in one transaction with the key: the same request again is
     * answered with the first answer, another request with the same key is a conflict.
     */
    public Created<Event> register(NewEvent e, IdempotentRequest request) {
        return IdempotencyKeys.transaction(dataSource, request, Event.class, connection -> {
            Registration registration = register(connection, e);
            return new Created<>(registration.event(), registration.duplicate() ? Outcome.EXISTING : Outcome.CREATED);
        });
    }

    private static Registration register(Connection connection, NewEvent e) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO events (external_id, customer_id,"
                + " merchant_id, amount, currency, occurred_at, transaction_data, type, refers_to)"
                + " VALUES (?, ?, ?, ?, ?, COALESCE(?, now()), ?::json, ?, ?)"
                + " ON CONFLICT (external_id) DO NOTHING RETURNING " + EVENT_COLUMNS)) {
            ps.setString(1, e.externalId());
            ps.setString(2, e.customerId());
            ps.setString(3, e.merchantId());
            ps.setBigDecimal(4, e.amount());
            ps.setString(5, e.currency());
            Jdbc.setInstant(ps, 6, e.occurredAt());
            ps.setString(7, e.transactionDataJson());
            ps.setString(8, e.type());
            ps.setString(9, e.refersTo());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return new Registration(EventRows.event(Row.of(rs)).withEarnings(List.of()), false);
                }
            }
        }
        Event existing = findByExternalId(connection, e.externalId());
        if (!e.samePayloadAs(existing)) {
            throw externalIdConflict(e.externalId(), existing.id());
        }
        return new Registration(existing.withEarnings(EventStore.earningsOf(connection, existing.id())), true);
    }

    /**
     * Stores many events with one multi-row insert. Events with an external_id get their id from the
     * insert itself; only those without one (nothing to match them by in the insert's answer) get
     * ids allocated first. A known external_id (stored before, or earlier in the same batch) is a
     * duplicate when its payload is the same and a conflict when it differs. Results come back in
     * input order.
     */
    public List<BatchResult.Item> registerAll(List<NewEvent> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        // JDBC: one unnest insert of SQL arrays, which DbClient cannot create (Connection.createArrayOf).
        return Jdbc.transaction(dataSource, connection -> {
            int n = events.size();
            Map<String, Integer> firstByExternalId = new HashMap<>();
            List<Integer> toInsert = new ArrayList<>(n);
            int withoutKey = 0;
            for (int i = 0; i < n; i++) {
                String externalId = events.get(i).externalId();
                if (externalId == null) {
                    withoutKey++;
                    toInsert.add(i);
                } else if (firstByExternalId.putIfAbsent(externalId, i) == null) {
                    toInsert.add(i);
                }
            }
            Long[] ids = new Long[n];
            long[] allocated = allocateIds(connection, withoutKey);
            for (int i = 0, next = 0; i < n; i++) {
                if (events.get(i).externalId() == null) {
                    ids[i] = allocated[next++];
                }
            }
            Map<String, Long> inserted = insertAll(connection, events, ids, toInsert);
            List<String> missing = new ArrayList<>();
            for (String externalId : firstByExternalId.keySet()) {
                if (!inserted.containsKey(externalId)) {
                    missing.add(externalId);
                }
            }
            Map<String, Event> existing = new HashMap<>();
            for (Event event : findByExternalIds(connection, missing)) {
                existing.put(event.externalId(), event);
            }
            List<BatchResult.Item> results = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                NewEvent event = events.get(i);
                String externalId = event.externalId();
                if (externalId == null) {
                    results.add(new BatchResult.Item(i, null, ids[i], null, "created", null));
                    continue;
                }
                int first = firstByExternalId.get(externalId);
                Long insertedId = inserted.get(externalId);
                if (first == i && insertedId != null) {
                    results.add(new BatchResult.Item(i, null, insertedId, externalId, "created", null));
                    continue;
                }
                Event stored = existing.get(externalId);
                boolean same = stored != null ? event.samePayloadAs(stored) : event.samePayloadAs(events.get(first));
                long id = stored != null ? stored.id() : insertedId;
                results.add(same
                        ? new BatchResult.Item(i, null, id, externalId, "duplicate", null)
                        : new BatchResult.Item(i, null, id, externalId, "conflict",
                                ErrorBody.of(externalIdConflict(externalId, id))));
            }
            return results;
        });
    }

    static ApiException externalIdConflict(String externalId, long storedId) {
        return ApiException.conflict("external_id", "event with external_id \"" + externalId
                + "\" already exists (id " + storedId + ") with a different payload");
    }

    static long[] allocateIds(Connection connection, int n) throws SQLException {
        if (n == 0) {
            return new long[0];
        }
        // JDBC: part of batch registration's JDBC transaction (with GroupRegistrar's).
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT nextval('events_id_seq') FROM generate_series(1, ?)")) {
            ps.setInt(1, n);
            long[] ids = new long[n];
            try (ResultSet rs = ps.executeQuery()) {
                for (int i = 0; i < n && rs.next(); i++) {
                    ids[i] = rs.getLong(1);
                }
            }
            return ids;
        }
    }

    /** Inserts the rows at {@code indexes}; returns external_id to id for the rows with a key that went in. */
    private static Map<String, Long> insertAll(Connection connection, List<NewEvent> events, Long[] ids,
                                                         List<Integer> indexes) throws SQLException {
        try (PreparedStatement ps = insertStatement(connection, events, ids, indexes, "id, external_id")) {
            Map<String, Long> inserted = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String key = rs.getString(2);
                    if (key != null) {
                        inserted.put(key, rs.getLong(1));
                    }
                }
            }
            return inserted;
        }
    }

    /**
     * One INSERT of the rows at {@code indexes} (ids given where not null, else drawn from the
     * sequence), skipping known external_ids, returning {@code returning} of the rows that went in.
     */
    static PreparedStatement insertStatement(Connection connection, List<NewEvent> events, Long[] ids,
                                             List<Integer> indexes, String returning) throws SQLException {
        int n = indexes.size();
        Object[] id = new Object[n];
        String[] external = new String[n];
        String[] customer = new String[n];
        String[] merchant = new String[n];
        Object[] amount = new Object[n];
        String[] currency = new String[n];
        Object[] occurred = new Object[n];
        String[] data = new String[n];
        String[] refersTo = new String[n];
        for (int k = 0; k < n; k++) {
            NewEvent e = events.get(indexes.get(k));
            id[k] = ids[indexes.get(k)];
            external[k] = e.externalId();
            customer[k] = e.customerId();
            merchant[k] = e.merchantId();
            amount[k] = e.amount();
            currency[k] = e.currency();
            occurred[k] = e.occurredAt() == null ? null : OffsetDateTime.ofInstant(e.occurredAt(), ZoneOffset.UTC);
            data[k] = e.transactionDataJson();
            refersTo[k] = e.refersTo();
        }
        PreparedStatement ps = connection.prepareStatement("INSERT INTO events (id, external_id, customer_id,"
                + " merchant_id, amount, currency, occurred_at, transaction_data, type, refers_to) OVERRIDING SYSTEM VALUE"
                + " SELECT coalesce(u.id, nextval('events_id_seq')), u.e, u.c, u.m, u.a, u.cur,"
                + " coalesce(u.o, now()), u.t::json, CASE WHEN u.rt IS NULL THEN 'purchase' ELSE 'refund' END, u.rt"
                // A text[] of the events' JSON, cast one by one, measured 1.8 times faster than one
                // JSON array taken apart with jsonb_array_elements (5,000-event batches).
                + " FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::numeric[], ?::text[], ?::timestamptz[], ?::text[],"
                + " ?::text[]) AS u(id, e, c, m, a, cur, o, t, rt) ON CONFLICT (external_id) DO NOTHING RETURNING " + returning);
        try {
            ps.setArray(1, connection.createArrayOf("bigint", id));
            ps.setString(2, Jdbc.textArray(external));
            ps.setString(3, Jdbc.textArray(customer));
            ps.setString(4, Jdbc.textArray(merchant));
            ps.setArray(5, connection.createArrayOf("numeric", amount));
            ps.setString(6, Jdbc.textArray(currency));
            ps.setArray(7, connection.createArrayOf("timestamptz", occurred));
            ps.setString(8, Jdbc.textArray(data));
            ps.setString(9, Jdbc.textArray(refersTo));
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    static List<Event> findByExternalIds(Connection connection, List<String> externalIds) throws SQLException {
        if (externalIds.isEmpty()) {
            return List.of();
        }
        // JDBC: an array parameter (DbClient creates no SQL arrays), inside registration's JDBC transaction.
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + EVENT_COLUMNS + " FROM events WHERE external_id = ANY(?)")) {
            ps.setArray(1, connection.createArrayOf("text", externalIds.toArray()));
            List<Event> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(EventRows.event(Row.of(rs)));
                }
            }
            return found;
        }
    }

    private static Event findByExternalId(Connection connection, String externalId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + EVENT_COLUMNS + " FROM events WHERE external_id = ?")) {
            ps.setString(1, externalId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("external_id " + externalId + " conflicted but is not stored");
                }
                return EventRows.event(Row.of(rs));
            }
        }
    }
}
