package dev.campaignctl.core.ai.keys;

import dev.campaignctl.core.db.Jdbc;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * This process's leases on keys' budgets. A lease is a row of {@code ai_reservations}: part of a
 * key's budget taken, in the database, by one process, so every replica's leases and the spend
 * together never pass the budget. Requests then reserve from their process's lease in memory; the
 * database is asked only when the lease cannot cover a request (the lease grows by what is missing
 * or, when larger, by some spare, or the request is refused when even what is missing does not fit), or when the
 * key was last confirmed (not revoked, not expired) more than {@link #CONFIRM} ago.
 *
 * <p>Each lease counts what its row holds ({@code held}, as the database last said) and what
 * running requests reserved from it ({@code inFlight}, which a request keeps until its settle is
 * written, so the row always holds at least what is counted free here); a request fits when
 * {@code held - inFlight} covers it. A settle takes each request's whole reservation out of the
 * row (its spend to the key's spent, the rest back to the key), so a lease holds only what
 * running requests reserved plus the spare of its last growth. A lease nobody used for
 * {@link #IDLE} goes back to its key, so another replica can have it; one that a dead process left
 * behind is released by the sweep, which takes rows not touched for several heartbeats.
 */
final class KeyLeases {

    /** How long a lease is used without asking the database whether its key was revoked or expired. */
    static final Duration CONFIRM = Duration.ofSeconds(1);
    /** How long an unused lease is kept before its budget goes back to the key. */
    static final Duration IDLE = Duration.ofSeconds(1);
    /** How often the rows of leases in use are touched, so the sweep leaves them alone. */
    static final Duration HEARTBEAT = Duration.ofSeconds(20);
    /**
     * A lease that lacks grows by the larger of what is missing and a spare: room for as many asks
     * like the one it lacks for as this key's requests here made in {@link #GROWTH_EVERY} at the rate
     * since its last growth, at least {@code SPARE} and at most {@code MAX_SPARE} of them, and never
     * more than a {@link #ROOM_SHARE}th of the room left in the budget, so one replica's spare never
     * keeps much of a budget from the others. A growth is a durable commit that the key's requests
     * here wait for: sized so that a key busy at a steady rate grows about ten times a second, not
     * once per few requests.
     */
    private static final int SPARE = 16;
    private static final int MAX_SPARE = 4096;
    private static final Duration GROWTH_EVERY = Duration.ofMillis(100);
    private static final int ROOM_SHARE = 16;

    /** One row of ai_reservations held by this process. Fields are guarded by its key's lock. */
    static final class Lease {
        final long keyId;
        final long rowId;
        long held;
        BigDecimal heldUsd;
        long inFlight;
        BigDecimal inFlightUsd = BigDecimal.ZERO;
        /** The row is gone (swept), its settle failed, or it was given back: nobody reserves from it any more. */
        boolean ended;

        Lease(long keyId, long rowId, long held, BigDecimal heldUsd) {
            this.keyId = keyId;
            this.rowId = rowId;
            this.held = held;
            this.heldUsd = heldUsd;
        }

        long free() {
            return held - inFlight;
        }

        BigDecimal freeUsd() {
            return heldUsd.subtract(inFlightUsd);
        }

        boolean covers(long tokens, BigDecimal usd) {
            return !ended && free() >= tokens && freeUsd().compareTo(usd) >= 0;
        }

        boolean unused() {
            return inFlight == 0 && inFlightUsd.signum() == 0;
        }
    }

    private static final class KeyState {
        final ReentrantLock lock = new ReentrantLock();
        /** The lease new requests reserve from; null until the first and after it was given back. */
        Lease current;
        /** When the database last confirmed the key usable (System.nanoTime), and when a request last reserved. */
        long confirmedAt;
        long usedAt;
        /** When the lease last grew (System.nanoTime; 0 before the first growth), and the asks reserved since. */
        long grownAt;
        long asksSinceGrowth;
    }

    private final DataSource dataSource;
    /** One entry per key that has reserved in this process: bounded by the keys in the database. */
    private final Map<Long, KeyState> keys = new ConcurrentHashMap<>();
    /** Every lease with a row, current or not, by row id: settles and releases find theirs here. */
    private final Map<Long, Lease> byRow = new ConcurrentHashMap<>();
    private volatile long heartbeatAt;

    KeyLeases(DataSource dataSource) {
        this.dataSource = dataSource;
        this.heartbeatAt = System.nanoTime();
    }

    /** What the database granted a growth: the lease's row (a new one when the old was gone) and the amounts added. */
    private record Granted(long rowId, long tokens, BigDecimal usd) {
    }

    /**
     * Reserves from the key's lease, growing it when it cannot cover the ask; the lease's row id, or
     * null when the database refuses (the key is revoked or expired, or what is missing does not fit).
     */
    Long reserve(long keyId, long tokens, BigDecimal usd) {
        KeyState state = keys.computeIfAbsent(keyId, id -> new KeyState());
        state.lock.lock();
        try {
            long now = System.nanoTime();
            Lease lease = state.current;
            boolean confirmed = now - state.confirmedAt < CONFIRM.toNanos();
            // Twice at most: a grow that found the lease's row swept starts a new lease, which may
            // then lack what the old one was thought to hold.
            for (int attempt = 0; lease == null || !lease.covers(tokens, usd) || !confirmed; attempt++) {
                if (attempt == 2) {
                    return null;
                }
                lease = grow(keyId, state, tokens, usd);
                if (lease == null) {
                    return null;
                }
                state.confirmedAt = now;
                confirmed = true;
            }
            lease.inFlight += tokens;
            lease.inFlightUsd = lease.inFlightUsd.add(usd);
            state.usedAt = now;
            state.asksSinceGrowth++;
            return lease.rowId;
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * Asks the database for what the current lease lacks or, when larger, the spare (nothing when it
     * lacks nothing); the same statement confirms the key is usable and touches the row. A lease whose row is gone is
     * replaced by a new one. Null when refused.
     */
    private Lease grow(long keyId, KeyState state, long tokens, BigDecimal usd) {
        Lease lease = state.current != null && !state.current.ended ? state.current : null;
        long missing = lease == null ? tokens : Math.max(0, tokens - Math.max(0, lease.free()));
        BigDecimal missingUsd = lease == null ? usd : usd.subtract(lease.freeUsd().max(BigDecimal.ZERO)).max(BigDecimal.ZERO);
        boolean lacking = missing > 0 || missingUsd.signum() > 0;
        // Confirming a lease that covers the ask takes nothing more: a busy lease would otherwise keep growing.
        long asks = lacking ? spareAsks(state) : 0;
        long spare = tokens > Long.MAX_VALUE / Math.max(1, asks) ? Long.MAX_VALUE : tokens * asks;
        BigDecimal spareUsd = usd.multiply(BigDecimal.valueOf(asks));
        long row = lease == null ? -1 : lease.rowId;
        Granted granted = Jdbc.call(dataSource, c -> {
            // A durable commit: a growth this process reserves from must survive a crash of the database,
            // or the budget it covers would be handed out again. It locks the key's row through the flush,
            // once per many requests.
            try (PreparedStatement ps = c.prepareStatement("WITH"
                    + " cur AS (SELECT id, budget_tokens - spent_tokens - reserved_tokens AS room, budget_usd - spent_usd - reserved_usd AS room_usd"
                    + " FROM ai_keys WHERE id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) FOR NO KEY UPDATE),"
                    // What is missing must fit; the spare, when larger, is what a share of the room left allows.
                    + " g AS (SELECT id, greatest(?::bigint, least(?::bigint, COALESCE(room / " + ROOM_SHARE + ", ?::bigint))) AS tokens,"
                    + " greatest(?::numeric, least(?::numeric, COALESCE(round(room_usd / " + ROOM_SHARE + ", 12), ?::numeric))) AS usd"
                    + " FROM cur WHERE (room IS NULL OR room >= ?) AND (room_usd IS NULL OR room_usd >= ?)),"
                    + " k AS (UPDATE ai_keys SET reserved_tokens = reserved_tokens + g.tokens, reserved_usd = reserved_usd + g.usd"
                    + " FROM g WHERE ai_keys.id = g.id RETURNING ai_keys.id),"
                    + " up AS (UPDATE ai_reservations a SET tokens = a.tokens + g.tokens, usd = a.usd + g.usd, created_at = now()"
                    + " FROM g, k WHERE a.id = ? AND a.key_id = k.id RETURNING a.id),"
                    + " ins AS (INSERT INTO ai_reservations (key_id, model, tokens, usd) SELECT k.id, 'lease', g.tokens, g.usd"
                    + " FROM g, k WHERE NOT EXISTS (SELECT 1 FROM up) RETURNING id)"
                    + " SELECT COALESCE((SELECT id FROM up), (SELECT id FROM ins)), g.tokens, g.usd FROM g, k")) {
                ps.setLong(1, keyId);
                ps.setLong(2, missing);
                ps.setLong(3, spare);
                ps.setLong(4, spare);
                ps.setBigDecimal(5, missingUsd);
                ps.setBigDecimal(6, spareUsd);
                ps.setBigDecimal(7, spareUsd);
                ps.setLong(8, missing);
                ps.setBigDecimal(9, missingUsd);
                ps.setLong(10, row);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new Granted(rs.getLong(1), rs.getLong(2), rs.getBigDecimal(3)) : null;
                }
            }
        });
        if (granted == null) {
            return null;
        }
        if (lacking) {
            state.grownAt = System.nanoTime();
            state.asksSinceGrowth = 0;
        }
        if (lease != null && lease.rowId == granted.rowId()) {
            // Added to what this process counts, not set to what the row holds now: a settle committed
            // a moment ago may not have been counted here yet (its count waits for this lock), and the
            // row's figure would then count its requests' share twice.
            lease.held += granted.tokens();
            lease.heldUsd = lease.heldUsd.add(granted.usd());
            return lease;
        }
        if (lease != null) {
            // Its row was swept: what its requests still settle counts as spend, nothing is given back.
            lease.ended = true;
        }
        Lease fresh = new Lease(keyId, granted.rowId(), granted.tokens(), granted.usd());
        byRow.put(fresh.rowId, fresh);
        state.current = fresh;
        return fresh;
    }

    /** How many asks a growth leaves room for: those of {@link #GROWTH_EVERY} at the rate since the last growth. */
    private static long spareAsks(KeyState state) {
        long elapsed = System.nanoTime() - state.grownAt;
        if (state.grownAt == 0 || elapsed <= 0) {
            return SPARE;
        }
        double atRate = (double) state.asksSinceGrowth * GROWTH_EVERY.toNanos() / elapsed;
        return (long) Math.max(SPARE, Math.min(MAX_SPARE, atRate));
    }

    /** A request's reservation ended without spending anything, or its settle could not be written. */
    void release(long rowId, long tokens, BigDecimal usd, boolean endLease) {
        change(rowId, lease -> {
            lease.inFlight -= tokens;
            lease.inFlightUsd = lease.inFlightUsd.subtract(usd);
            lease.ended |= endLease;
        });
    }

    /**
     * A settle was written: its requests are no longer in flight, and the row gave up {@code back}
     * (their whole reservations, at most what it held); {@code rowFound} false when the row was gone.
     */
    void settled(long rowId, long reserved, BigDecimal reservedUsd, long back, BigDecimal backUsd, boolean rowFound) {
        change(rowId, lease -> {
            lease.inFlight -= reserved;
            lease.inFlightUsd = lease.inFlightUsd.subtract(reservedUsd);
            lease.held -= back;
            lease.heldUsd = lease.heldUsd.subtract(backUsd);
            lease.ended |= !rowFound;
        });
    }

    /** Changes a lease of this process under its key's lock; one given back already is no longer counted. */
    private void change(long rowId, Consumer<Lease> change) {
        Lease lease = byRow.get(rowId);
        if (lease == null) {
            return;
        }
        KeyState state = keys.get(lease.keyId);
        state.lock.lock();
        try {
            change.accept(lease);
        } finally {
            state.lock.unlock();
        }
    }

    /** The key was revoked here: its next request asks the database, which refuses it. */
    void forget(long keyId) {
        KeyState state = keys.get(keyId);
        if (state != null) {
            state.lock.lock();
            try {
                state.confirmedAt = System.nanoTime() - CONFIRM.toNanos() - 1;
            } finally {
                state.lock.unlock();
            }
        }
    }

    /**
     * The leases to give back now, detached so nobody reserves from them: those without requests in
     * flight that nobody used for {@link #IDLE} (every one without requests in flight when {@code all}).
     */
    List<Lease> detachIdle(boolean all) {
        long now = System.nanoTime();
        List<Lease> idle = new ArrayList<>();
        for (Lease lease : byRow.values()) {
            KeyState state = keys.get(lease.keyId);
            state.lock.lock();
            try {
                if (!lease.unused()) {
                    continue;
                }
                if (lease == state.current) {
                    if (!all && now - state.usedAt < IDLE.toNanos()) {
                        continue;
                    }
                    state.current = null;
                }
                lease.ended = true;
                byRow.remove(lease.rowId);
                idle.add(lease);
            } finally {
                state.lock.unlock();
            }
        }
        return idle;
    }

    /** Leases whose give-back failed: kept (ended, so nobody reserves from them) to be given back next time. */
    void reattach(List<Lease> leases) {
        for (Lease lease : leases) {
            byRow.put(lease.rowId, lease);
        }
    }

    /** Row ids of every lease held here when a heartbeat is due, else null. */
    long[] heartbeatDue() {
        long now = System.nanoTime();
        if (now - heartbeatAt < HEARTBEAT.toNanos()) {
            return null;
        }
        heartbeatAt = now;
        return byRow.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    /** The heartbeat could not be written: due again at the next call. */
    void heartbeatMissed() {
        heartbeatAt = System.nanoTime() - HEARTBEAT.toNanos();
    }

    /** What this process holds on a key, for tests: {held, in flight} over its leases. */
    long[] holding(long keyId) {
        long held = 0;
        long inFlight = 0;
        for (Lease lease : byRow.values()) {
            if (lease.keyId == keyId) {
                held += lease.held;
                inFlight += lease.inFlight;
            }
        }
        return new long[] {held, inFlight};
    }
}
