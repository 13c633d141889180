package dev.campaignctl.core.event;

import static dev.campaignctl.core.event.EventRows.EARNING_COLUMNS;
import static dev.campaignctl.core.event.EventRows.EVENT_COLUMNS;

import dev.campaignctl.core.db.Db;
import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.db.Row;
import dev.campaignctl.core.earning.Earning;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Decimals;
import io.helidon.dbclient.DbRow;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Events and earnings in PostgreSQL: look-ups and pages, through DbClient. Registration is
 * {@link EventRegistration}'s, processing {@link EventProcessor}'s.
 */
public final class EventStore {

    private static final String GET = "SELECT " + EVENT_COLUMNS + " FROM events WHERE id = ?";
    private static final String COUNT_PENDING = "SELECT count(*) AS pending FROM events WHERE status = 'pending'";
    private static final String EARNINGS_OF = "SELECT " + EARNING_COLUMNS + " FROM earnings WHERE event_id = ? ORDER BY id";

    private static final String LIST = "SELECT " + EVENT_COLUMNS + " FROM events WHERE id < ? ORDER BY id DESC LIMIT ?";
    /**
     * A page of one status, with the status written into the statement (one of the enum's, never
     * input): a parameter would hide it from the planner, which could then use neither the pending
     * nor the failed partial index and would read past every event of the other statuses.
     */
    private static final Map<EventStatus, String> LIST_BY_STATUS = new EnumMap<>(EventStatus.class);

    static {
        for (EventStatus status : EventStatus.values()) {
            LIST_BY_STATUS.put(status, "SELECT " + EVENT_COLUMNS + " FROM events WHERE status = '" + status.wire()
                    + "' AND id < ? ORDER BY id DESC LIMIT ?");
        }
    }

    /** The page statement of one status; for tests of its plan. */
    static String listByStatus(EventStatus status) {
        return LIST_BY_STATUS.get(status);
    }

    private final DataSource dataSource;
    private final Db db;

    public EventStore(Db db) {
        this.db = db;
        this.dataSource = db.dataSource();
    }

    public EventStore(DataSource dataSource) {
        this(Db.over(dataSource));
    }

    /** The event with its earnings; through DbClient. */
    public Event get(long id) {
        return db.execute(exec -> {
            DbRow row = exec.createNamedGet("event.get", GET).addParam(id).execute()
                    .orElseThrow(() -> ApiException.notFound("event", id));
            List<Earning> earnings = Db.list(exec.createNamedQuery("earning.of-event", EARNINGS_OF).addParam(id).execute(),
                    EventRows::earning);
            return EventRows.event(Row.of(row)).withEarnings(earnings);
        });
    }

    /**
     * Events newest first, optionally of one status, those older than {@code startingAfter} (null:
     * from the newest), at most {@code limit}; earnings are left out (fetch one event for them).
     */
    public List<Event> list(EventStatus status, int limit, Long startingAfter) {
        long before = startingAfter == null ? Long.MAX_VALUE : startingAfter;
        // One statement per filter rather than "(? IS NULL OR ...)", so a long walk keeps the index plans.
        return db.execute(exec -> status == null
                ? Db.list(exec.createNamedQuery("event.list", LIST).params(Arrays.asList(before, limit)).execute(),
                        EventRows::event)
                : Db.list(exec.createNamedQuery("event.list-" + status.wire(), LIST_BY_STATUS.get(status))
                        .params(Arrays.asList(before, limit)).execute(), EventRows::event));
    }

    /** Earnings by id, those after {@code startingAfter} (null: from the first), at most {@code limit}. */
    public List<Earning> earnings(Long campaignId, String customerId, int limit, Long startingAfter) {
        List<String> where = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (campaignId != null) {
            where.add("campaign_id = ?");
            params.add(campaignId);
        }
        if (customerId != null) {
            where.add("customer_id = ?");
            params.add(customerId);
        }
        where.add("id > ?");
        params.add(startingAfter == null ? 0L : startingAfter);
        params.add(limit);
        // Only the filters given, so each combination plans on its own index ((campaign_id, id), (customer_id, id)).
        String sql = "SELECT " + EARNING_COLUMNS + " FROM earnings WHERE " + String.join(" AND ", where)
                + " ORDER BY id LIMIT ?";
        String name = "earning.list" + (campaignId != null ? "-by-campaign" : "") + (customerId != null ? "-by-customer" : "");
        return db.execute(exec -> Db.list(exec.createNamedQuery(name, sql).params(params).execute(), EventRows::earning));
    }

    /** How the given events stand: counts per status and the points they earned. */
    public Outcomes outcomes(List<Long> ids) {
        // JDBC: array parameters (Connection.createArrayOf), which DbClient cannot create.
        return Jdbc.call(dataSource, connection -> {
            try (PreparedStatement ps = connection.prepareStatement("SELECT"
                    + " count(*) FILTER (WHERE e.status = 'pending'), count(*) FILTER (WHERE e.status = 'processed'),"
                    + " count(*) FILTER (WHERE e.status = 'skipped'), count(*) FILTER (WHERE e.status = 'failed'),"
                    + " (SELECT count(*) FROM earnings x WHERE x.event_id = ANY(?)),"
                    + " (SELECT coalesce(sum(x.amount), 0) FROM earnings x WHERE x.event_id = ANY(?))"
                    + " FROM events e WHERE e.id = ANY(?)")) {
                Array array = connection.createArrayOf("bigint", ids.toArray());
                ps.setArray(1, array);
                ps.setArray(2, array);
                ps.setArray(3, array);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Outcomes(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                            Decimals.plain(rs.getBigDecimal(6)));
                }
            }
        });
    }

    public long countPending() {
        return db.execute(exec -> Row.of(exec.createNamedGet("event.count-pending", COUNT_PENDING).execute().orElseThrow())
                .longValue("pending"));
    }

    /** For registration, inside its JDBC transaction. */
    static List<Earning> earningsOf(Connection connection, long eventId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(EARNINGS_OF)) {
            ps.setLong(1, eventId);
            List<Earning> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(EventRows.earning(Row.of(rs)));
                }
            }
            return result;
        }
    }
}
