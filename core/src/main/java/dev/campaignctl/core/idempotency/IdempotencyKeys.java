package dev.campaignctl.core.idempotency;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.json.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The {@code idempotency_keys} table: a key is claimed, the object created and the answer saved in
 * one transaction, so a crash keeps both or neither.
 *
 * <p>The claim comes first ({@code INSERT ... ON CONFLICT DO NOTHING}): a concurrent request with
 * the same key waits on the primary key until the first one commits, then reads and replays its
 * answer; if the first rolled back, the waiting one inserts the key and goes ahead itself. Only
 * answers of requests that succeeded are kept: a request that failed can be retried with its key.
 *
 * <pre>{@code
 * Created<Rule> rule = IdempotencyKeys.transaction(dataSource, request, Rule.class,
 *         connection -> new Created<>(insertRule(connection, ...), Outcome.CREATED));
 * }</pre>
 */
public final class IdempotencyKeys {

    /** Keys are kept at least 24 hours, as Stripe promises; the purge takes those older than this. */
    public static final Duration RETENTION = Duration.ofHours(48);

    private IdempotencyKeys() {
    }

    /**
     * Runs {@code work} in one transaction with the request's key: the earlier answer when the key
     * is known with the same request, a conflict when it is known with another, else {@code work}'s
     * answer, saved with the key. A null request runs {@code work} in a plain transaction.
     */
    public static <T> Created<T> transaction(DataSource dataSource, IdempotentRequest request, Class<T> type,
                                             Jdbc.Work<Created<T>> work) {
        return Jdbc.transaction(dataSource, connection -> {
            if (request == null) {
                return work.apply(connection);
            }
            Created<T> earlier = claim(connection, request, type);
            if (earlier != null) {
                return earlier;
            }
            Created<T> created = work.apply(connection);
            save(connection, request, created);
            return created;
        });
    }

    /** Deletes keys older than {@code age}; returns how many. */
    public static int purge(DataSource dataSource, Duration age) {
        return Jdbc.call(dataSource, connection -> {
            try (PreparedStatement ps = connection.prepareStatement(
                    "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => ?)")) {
                ps.setDouble(1, age.toMillis() / 1000.0);
                return ps.executeUpdate();
            }
        });
    }

    /** Claims the key (returns null) or returns the answer stored under it. */
    private static <T> Created<T> claim(Connection connection, IdempotentRequest request, Class<T> type) throws SQLException {
        while (true) {
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO idempotency_keys (key, operation,"
                    + " fingerprint) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING")) {
                ps.setString(1, request.key().value());
                ps.setString(2, request.operation());
                ps.setString(3, request.fingerprint());
                if (ps.executeUpdate() == 1) {
                    return null;
                }
            }
            Created<T> stored = stored(connection, request, type);
            // Null only when a purge took the key between the two statements: claim it again.
            if (stored != null) {
                return stored;
            }
        }
    }

    private static <T> Created<T> stored(Connection connection, IdempotentRequest request, Class<T> type) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT operation, fingerprint, outcome, response FROM idempotency_keys WHERE key = ?")) {
            ps.setString(1, request.key().value());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                if (!rs.getString("fingerprint").equals(request.fingerprint())) {
                    String operation = rs.getString("operation");
                    throw ApiException.conflict(IdempotencyKey.HEADER, "this key was already used for "
                            + (operation.equals(request.operation()) ? "another " + operation + " request" : "a request to " + operation)
                            + "; a new request needs a new key");
                }
                return new Created<>(read(rs.getString("response"), type), Outcome.parse(rs.getString("outcome")), true);
            }
        }
    }

    private static void save(Connection connection, IdempotentRequest request, Created<?> created) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE idempotency_keys SET outcome = ?, response = ? WHERE key = ?")) {
            ps.setString(1, created.outcome().wire());
            ps.setString(2, Json.write(created.value()));
            ps.setString(3, request.key().value());
            ps.executeUpdate();
        }
    }

    private static <T> T read(String response, Class<T> type) {
        try {
            return Json.MAPPER.readValue(response, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the answer stored under an idempotency key cannot be read as "
                    + type.getSimpleName(), e);
        }
    }
}
