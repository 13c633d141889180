package dev.campaignctl.core.idempotency;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.campaignctl.core.db.Db;
import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.db.Row;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Json;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
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
 * Created<Rule> rule = IdempotencyKeys.transaction(db, request, Rule.class,
 *         tx -> new Created<>(insertRule(tx.db(), ...), Outcome.CREATED));
 * }</pre>
 *
 * <p>The key's statements go through DbClient, in the caller's transaction; callers whose work is
 * plain JDBC (registration's array inserts, the ledger) use the {@link DataSource} form.
 */
public final class IdempotencyKeys {

    /** Keys are kept at least 24 hours, as Stripe promises; the purge takes those older than this. */
    public static final Duration RETENTION = Duration.ofHours(48);

    private static final String CLAIM = "INSERT INTO idempotency_keys (key, operation, fingerprint) VALUES (?, ?, ?)"
            + " ON CONFLICT (key) DO NOTHING";
    private static final String STORED = "SELECT operation, fingerprint, outcome, response FROM idempotency_keys WHERE key = ?";
    private static final String SAVE = "UPDATE idempotency_keys SET outcome = ?, response = ? WHERE key = ?";
    private static final String PURGE = "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => ?)";

    private IdempotencyKeys() {
    }

    /**
     * Runs {@code work} in one transaction with the request's key: the earlier answer when the key
     * is known with the same request, a conflict when it is known with another, else {@code work}'s
     * answer, saved with the key. A null request runs {@code work} in a plain transaction.
     */
    public static <T> Created<T> transaction(Db db, IdempotentRequest request, Class<T> type,
                                             Db.TxWork<Created<T>> work) {
        return db.transaction(tx -> keyed(tx, request, type, work));
    }

    /** The same for work on a JDBC connection; the key's statements run through DbClient on it. */
    public static <T> Created<T> transaction(DataSource dataSource, IdempotentRequest request, Class<T> type,
                                             Jdbc.Work<Created<T>> work) {
        return Jdbc.transaction(dataSource, connection -> keyed(Db.within(connection), request, type,
                tx -> work.apply(tx.connection())));
    }

    private static <T> Created<T> keyed(Db.Tx tx, IdempotentRequest request, Class<T> type,
                                        Db.TxWork<Created<T>> work) throws SQLException {
        if (request == null) {
            return work.apply(tx);
        }
        Created<T> earlier = claim(tx.db(), request, type);
        if (earlier != null) {
            return earlier;
        }
        Created<T> created = work.apply(tx);
        save(tx.db(), request, created);
        return created;
    }

    /** Deletes keys older than {@code age}; returns how many. */
    public static int purge(Db db, Duration age) {
        return db.execute(exec -> (int) exec.createNamedDelete("idempotency-key.purge", PURGE)
                .addParam(age.toMillis() / 1000.0)
                .execute());
    }

    /** The same over {@code dataSource}. */
    public static int purge(DataSource dataSource, Duration age) {
        return purge(Db.over(dataSource), age);
    }

    /** Claims the key (returns null) or returns the answer stored under it. */
    private static <T> Created<T> claim(DbExecute tx, IdempotentRequest request, Class<T> type) throws SQLException {
        while (true) {
            long claimed = tx.createNamedInsert("idempotency-key.claim", CLAIM)
                    .addParam(request.key().value())
                    .addParam(request.operation())
                    .addParam(request.fingerprint())
                    .execute();
            if (claimed == 1) {
                return null;
            }
            Created<T> stored = stored(tx, request, type);
            // Null only when a purge took the key between the two statements: claim it again.
            if (stored != null) {
                return stored;
            }
        }
    }

    private static <T> Created<T> stored(DbExecute tx, IdempotentRequest request, Class<T> type) throws SQLException {
        Optional<DbRow> found = tx.createNamedGet("idempotency-key.get", STORED).addParam(request.key().value()).execute();
        if (found.isEmpty()) {
            return null;
        }
        Row row = Row.of(found.get());
        if (!row.string("fingerprint").equals(request.fingerprint())) {
            String operation = row.string("operation");
            throw ApiException.conflict(IdempotencyKey.HEADER, "this key was already used for "
                    + (operation.equals(request.operation()) ? "another " + operation + " request" : "a request to " + operation)
                    + "; a new request needs a new key");
        }
        return new Created<>(read(row.string("response"), type), Outcome.parse(row.string("outcome")), true);
    }

    private static void save(DbExecute tx, IdempotentRequest request, Created<?> created) {
        tx.createNamedUpdate("idempotency-key.save", SAVE)
                .addParam(created.outcome().wire())
                .addParam(Json.write(created.value()))
                .addParam(request.key().value())
                .execute();
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
