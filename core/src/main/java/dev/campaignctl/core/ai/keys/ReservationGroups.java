package dev.campaignctl.core.ai.keys;

import dev.campaignctl.core.db.Jdbc;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Reservations asked of one key at the same time, taken by one statement. Every request of a key
 * updates the key's row, and concurrent updates of one row queue on its lock one commit after
 * another; so the requests of a key in this process queue here instead, and whoever holds the
 * key's turn writes for everyone waiting (none waits for a thread to be scheduled to do it).
 *
 * <p>The statement locks the key's row, grants the asks in arrival order as long as their running
 * sum fits the budget, and records them. An ask after the first that does not fit gets no answer
 * here ({@code null}): its caller asks again alone, as it would have without company, which either
 * fits or is refused with the budget's figures. Replicas meet at the row lock as before.
 */
final class ReservationGroups {

    /** Largest group: more would hold the row lock longer than a second statement takes. */
    private static final int MAX_GROUP = 64;

    private record Ask(String model, long tokens, BigDecimal usd, CompletableFuture<Long> granted) {
    }

    private static final class Group {
        final ReentrantLock turn = new ReentrantLock();
        final ConcurrentLinkedQueue<Ask> waiting = new ConcurrentLinkedQueue<>();
    }

    /** One entry per key that has reserved in this process: bounded by the keys in the database. */
    private final Map<Long, Group> groups = new ConcurrentHashMap<>();
    private final DataSource dataSource;

    ReservationGroups(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The reservation's id, or null when it did not fit after the asks before it (ask again alone). */
    Long reserve(long keyId, String model, long tokens, BigDecimal usd) {
        Group group = groups.computeIfAbsent(keyId, id -> new Group());
        Ask ask = new Ask(model, tokens, usd, new CompletableFuture<>());
        group.waiting.add(ask);
        // Whoever takes the turn writes the oldest asks; with more than a group waiting, ours may need another turn.
        while (!ask.granted().isDone()) {
            group.turn.lock();
            try {
                if (!ask.granted().isDone()) {
                    List<Ask> batch = new ArrayList<>();
                    for (Ask next; batch.size() < MAX_GROUP && (next = group.waiting.poll()) != null; ) {
                        batch.add(next);
                    }
                    write(keyId, batch);
                }
            } finally {
                group.turn.unlock();
            }
        }
        try {
            return ask.granted().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reserving", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        }
    }

    /** Writes the batch's reservations (those that fit) and answers every ask in it, failures included. */
    private void write(long keyId, List<Ask> batch) {
        try {
            List<Long> ids = take(keyId, batch.stream().map(a -> new Wanted(a.model(), a.tokens(), a.usd())).toList());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).granted().complete(ids.get(i));
            }
        } catch (Throwable e) {
            for (Ask ask : batch) {
                ask.granted().completeExceptionally(e);
            }
            if (e instanceof Error error) {
                throw error;
            }
        }
    }

    /** What one request asks of a key's budget. */
    record Wanted(String model, long tokens, BigDecimal usd) {
    }

    /**
     * Reserves {@code wanted} in one statement, in order while their running sum fits: each one's
     * reservation id, or null from the first that does not fit on (and all of them when the key is
     * revoked or expired).
     */
    List<Long> take(long keyId, List<Wanted> wanted) {
        return Jdbc.call(dataSource, c -> {
            int n = wanted.size();
            Object[] models = new Object[n];
            Object[] tokens = new Object[n];
            Object[] usd = new Object[n];
            for (int i = 0; i < n; i++) {
                models[i] = wanted.get(i).model();
                tokens[i] = wanted.get(i).tokens();
                usd[i] = wanted.get(i).usd();
            }
            Long[] granted = new Long[n];
            try (PreparedStatement ps = c.prepareStatement(KeyStore.ASYNC_COMMIT + ","
                    + " a AS (SELECT * FROM unnest(?::text[], ?::bigint[], ?::numeric[]) WITH ORDINALITY AS a(model, tokens, usd, n)),"
                    + " cur AS (SELECT spent_tokens, reserved_tokens, budget_tokens, spent_usd, reserved_usd, budget_usd"
                    + " FROM ai_keys WHERE id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) FOR NO KEY UPDATE),"
                    // Granted while the running sum of the asks so far fits: a prefix, as the sums only grow.
                    + " ok AS (SELECT s.model, s.tokens, s.usd, s.n, nextval(pg_get_serial_sequence('ai_reservations', 'id')) AS id"
                    + " FROM (SELECT a.*, sum(a.tokens) OVER w AS ct, sum(a.usd) OVER w AS cu FROM a WINDOW w AS (ORDER BY a.n)) s, cur"
                    + " WHERE (cur.budget_tokens IS NULL OR cur.spent_tokens + cur.reserved_tokens + s.ct <= cur.budget_tokens)"
                    + " AND (cur.budget_usd IS NULL OR cur.spent_usd + cur.reserved_usd + s.cu <= cur.budget_usd)),"
                    + " k AS (UPDATE ai_keys SET reserved_tokens = reserved_tokens + t.tokens, reserved_usd = reserved_usd + t.usd"
                    + " FROM (SELECT sum(tokens) AS tokens, sum(usd) AS usd FROM ok HAVING count(*) > 0) t WHERE id = ? RETURNING id),"
                    + " saved AS (INSERT INTO ai_reservations (id, key_id, model, tokens, usd)"
                    + " SELECT ok.id, k.id, ok.model, ok.tokens, ok.usd FROM ok, k, async)"
                    + " SELECT ok.n, ok.id FROM ok, k")) {
                ps.setArray(1, c.createArrayOf("text", models));
                ps.setArray(2, c.createArrayOf("bigint", tokens));
                ps.setArray(3, c.createArrayOf("numeric", usd));
                ps.setLong(4, keyId);
                ps.setLong(5, keyId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        granted[rs.getInt(1) - 1] = rs.getLong(2);
                    }
                }
            }
            return Arrays.asList(granted);
        });
    }
}
