package dev.campaignctl.core.ai.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * Virtual keys, their reservations and their spend in PostgreSQL — the one place of their SQL.
 * <pre>{@code
 * Reservation r = store.reserve(key, "gpt-4o", 1_032, new BigDecimal("0.0103"));  // 429 when it does not fit
 * try { ... call the provider ... store.settle(r, usage.prompt(), usage.completion(), cost); }
 * catch (RuntimeException e) { store.release(r); throw e; }
 * }</pre>
 * A reservation is taken from this process's lease on the key's budget ({@link KeyLeases}): a row
 * of {@code ai_reservations} that the database granted under the key's row lock, so the budget
 * check and the increment cannot interleave across replicas, and the sum of spent and reserved
 * (leases included) never passes the budget. Most reservations are then made in memory; the
 * database is asked when a lease runs short or its key was last confirmed a second ago or more.
 * Every writer locks a key's row before the reservations of that key, keys in id order.
 */
public final class KeyStore {

    /** What every secret starts with, so a gateway can tell a virtual key from the service's token. */
    public static final String SECRET_PREFIX = "sk-cc-";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String COLUMNS = "id, name, key_prefix, budget_tokens, budget_usd, rpm, models, expires_at,"
            + " revoked_at, created_at, spent_tokens, spent_usd, reserved_tokens, reserved_usd";

    /**
     * The start of a statement whose own transaction (auto-commit) commits without waiting for the
     * disk: {@code set_config(..., true)} lasts to the end of the transaction, its commit included.
     * One round trip, so a key's row is locked for as short a time as one statement takes.
     */
    static final String ASYNC_COMMIT = "WITH async AS (SELECT set_config('synchronous_commit', 'off', true))";

    private final DataSource dataSource;
    private final KeyLeases leases;
    /** Settles run on connections of their own, so requests never wait for a connection behind a settle's disk flush. */
    private final DataSource settleSource;
    /** Verified keys by the hash of their secret, briefly: a lease confirms its key's revocation and budget every second anyway. */
    private final Cache<String, VirtualKey> verified = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofSeconds(10)).maximumSize(10_000).build();

    public KeyStore(DataSource dataSource) {
        this(dataSource, dataSource);
    }

    /** @param settleSource connections for settles, apart from those of requests */
    public KeyStore(DataSource dataSource, DataSource settleSource) {
        this.dataSource = dataSource;
        this.settleSource = settleSource;
        this.leases = new KeyLeases(dataSource);
    }

    /** A key just made: the secret, shown once, and the stored key. */
    public record Created(String key, VirtualKey stored) {
    }

    /** A request's hold on a key's budget: {@code id} is the row of the lease it was taken from. */
    public record Reservation(long id, long keyId, String model, long tokens, BigDecimal usd) {
    }

    /** What a key spent on one model. */
    public record ModelUsage(String model, long requests, long promptTokens, long completionTokens, BigDecimal usd) {
    }

    public Created create(KeySpec spec, Instant now) {
        byte[] secretBytes = new byte[32];
        RANDOM.nextBytes(secretBytes);
        String secret = SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        VirtualKey stored = Jdbc.call(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ai_keys (name, key_hash, key_prefix, budget_tokens,"
                    + " budget_usd, rpm, models, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING " + COLUMNS)) {
                ps.setString(1, spec.name());
                ps.setBytes(2, hash(secret));
                ps.setString(3, secret.substring(0, SECRET_PREFIX.length() + 4));
                ps.setObject(4, spec.budgetTokens());
                ps.setBigDecimal(5, spec.budgetUsd());
                ps.setObject(6, spec.rpm());
                ps.setArray(7, spec.models() == null ? null : c.createArrayOf("text", spec.models().toArray()));
                Jdbc.setInstant(ps, 8, spec.expires() == null ? null : now.plus(spec.expires()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return key(rs);
                }
            }
        });
        return new Created(secret, stored);
    }

    public List<VirtualKey> list() {
        return Jdbc.call(dataSource, c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT " + COLUMNS + " FROM ai_keys ORDER BY id")) {
                List<VirtualKey> keys = new ArrayList<>();
                while (rs.next()) {
                    keys.add(key(rs));
                }
                return keys;
            }
        });
    }

    public VirtualKey get(long id) {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM ai_keys WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw ApiException.notFound("key", id);
                    }
                    return key(rs);
                }
            }
        });
    }

    /**
     * Revokes the key: at once in this process; other replicas refuse it within a second (their
     * leases ask the database again after {@link KeyLeases#CONFIRM}) and forget its cached lookup within 10 s.
     */
    public VirtualKey revoke(long id) {
        Jdbc.call(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE ai_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = ?")) {
                ps.setLong(1, id);
                return ps.executeUpdate();
            }
        });
        verified.asMap().values().removeIf(k -> k.id() == id);
        leases.forget(id);
        return get(id);
    }

    /** The key a secret names, if it is one and is neither revoked nor expired. */
    public Optional<VirtualKey> authenticate(String secret, Instant now) {
        if (secret == null || !secret.startsWith(SECRET_PREFIX) || secret.length() > 200) {
            return Optional.empty();
        }
        byte[] digest = hash(secret);
        String cacheKey = HexFormat.of().formatHex(digest);
        VirtualKey key = verified.getIfPresent(cacheKey);
        if (key == null) {
            key = Jdbc.call(dataSource, c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + ", key_hash FROM ai_keys WHERE key_hash = ?")) {
                    ps.setBytes(1, digest);
                    try (ResultSet rs = ps.executeQuery()) {
                        // The index found it by hash; compared again in constant time, as every secret here is.
                        return rs.next() && MessageDigest.isEqual(digest, rs.getBytes("key_hash")) ? key(rs) : null;
                    }
                }
            });
            if (key == null) {
                return Optional.empty();
            }
            verified.put(cacheKey, key);
        }
        return key.usable(now) ? Optional.of(key) : Optional.empty();
    }

    /**
     * Takes {@code tokens} and {@code usd} from the key's budget through this process's lease, or
     * refuses with 429 naming the budget that is short (401 when the key is revoked or expired).
     */
    public Reservation reserve(VirtualKey key, String model, long tokens, BigDecimal usd) {
        // The columns keep 12 decimals: rounded up to them here, what this process counts is what they hold.
        if (usd.scale() > 12) {
            usd = usd.setScale(12, RoundingMode.CEILING);
        }
        for (int attempt = 1; ; attempt++) {
            Long row = leases.reserve(key.id(), tokens, usd);
            if (row != null) {
                return new Reservation(row, key.id(), model, tokens, usd);
            }
            // Refused: say why from the key as it is now; when it shows room after all (a settle or a
            // lease given back meanwhile), ask again.
            ApiException refusal = refusal(get(key.id()), tokens, usd);
            if (refusal != null || attempt == 3) {
                throw refusal != null ? refusal : new ApiException(ErrorKind.TOO_MANY_REQUESTS,
                        key.budgetTokens() != null ? "budget_tokens_exceeded" : "budget_usd_exceeded", "the budget of key "
                        + key.id() + " is held by requests in flight; try again", Map.of("key_id", key.id()));
            }
        }
    }

    /** Why a key refuses an ask now: revoked or expired, or the budget that is short; null when it would fit. */
    private static ApiException refusal(VirtualKey now, long tokens, BigDecimal usd) {
        if (!now.usable(Instant.now())) {
            return new ApiException(ErrorKind.UNAUTHORIZED, "invalid_api_key", "key " + now.id() + " is "
                    + (now.revokedAt() != null ? "revoked" : "expired"), Map.of());
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("key_id", now.id());
        if (now.budgetTokens() != null && now.spentTokens() + now.reservedTokens() + tokens > now.budgetTokens()) {
            long left = Math.max(0, now.budgetTokens() - now.spentTokens() - now.reservedTokens());
            details.put("budget", "budget_tokens");
            return new ApiException(ErrorKind.TOO_MANY_REQUESTS, "budget_tokens_exceeded", "budget_tokens of key " + now.id()
                    + " (\"" + now.name() + "\") exceeded: " + now.budgetTokens() + " tokens, " + now.spentTokens() + " spent, "
                    + now.reservedTokens() + " reserved (requests in flight and replicas' leases), " + left
                    + " left; this request needs up to " + tokens + " (prompt estimate plus max_tokens)", details);
        }
        if (now.budgetUsd() != null && now.spentUsd().add(now.reservedUsd()).add(usd).compareTo(now.budgetUsd()) > 0) {
            details.put("budget", "budget_usd");
            return new ApiException(ErrorKind.TOO_MANY_REQUESTS, "budget_usd_exceeded", "budget_usd of key " + now.id()
                    + " (\"" + now.name() + "\") exceeded: $" + plain(now.budgetUsd()) + ", $" + plain(now.spentUsd()) + " spent, $"
                    + plain(now.reservedUsd()) + " reserved (requests in flight and replicas' leases); this request needs up to $"
                    + plain(usd), details);
        }
        return null;
    }

    private static String plain(BigDecimal value) {
        return value == null ? "0" : value.stripTrailingZeros().toPlainString();
    }

    /** What one request spent, to be settled against its reservation; {@code requestId} makes settling it again a no-op. */
    public record Settlement(Reservation reservation, long promptTokens, long completionTokens, BigDecimal usd, UUID requestId) {
        public Settlement(Reservation reservation, long promptTokens, long completionTokens, BigDecimal usd) {
            this(reservation, promptTokens, completionTokens, usd, newRequestId());
        }

        /**
         * A time-ordered id (UUID version 7: milliseconds, then 74 random bits): new audit rows go to
         * the right edge of their index rather than to random pages of it, and two ids can only meet
         * within one millisecond. Not a secret, so not from the shared SecureRandom.
         */
        static UUID newRequestId() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long high = System.currentTimeMillis() << 16 | 0x7000L | random.nextLong() & 0xFFFL;
            long low = random.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L;
            return new UUID(high, low);
        }
    }

    /** Records what the request spent and gives the rest of its reservation back, durably. */
    public void settle(Reservation reservation, long promptTokens, long completionTokens, BigDecimal usd) {
        settleAll(List.of(new Settlement(reservation, promptTokens, completionTokens, usd)));
    }

    /**
     * Settles a batch, durably: one statement, one disk flush, however many requests it holds. It
     * locks the keys it touches in id order, then their leases' rows; each request's reservation
     * leaves its lease's row (at most what the row holds), its spend is added to the key and the
     * rest goes back to it, each key's counters changing once; the usage per model and the audit
     * rows ({@code ai_spend}) are written by the same statement, so they always agree. The keys'
     * rows stay locked through the flush, which only a lease's growth (one request in many) waits
     * for. All or nothing: a caller may send a batch that threw again without counting anything
     * twice; one that gives up calls {@link #abandon}.
     */
    public void settleAll(List<Settlement> batch) {
        Map<Long, Given> given = writeSettles(batch);
        // The leases here learn what their rows gave back, and their requests stop counting as in flight.
        // A row that gave nothing back is gone, or this batch was written before (its answer lost):
        // either way this process's count of it is stale, and the lease ends.
        Map<Long, Given> reserved = new HashMap<>();
        for (Settlement settlement : batch) {
            Reservation r = settlement.reservation();
            reserved.merge(r.id(), new Given(r.tokens(), r.usd()), Given::plus);
        }
        reserved.forEach((row, held) -> {
            Given back = given.getOrDefault(row, Given.NONE);
            leases.settled(row, held.tokens(), held.usd(), back.tokens(), back.usd(), given.containsKey(row));
        });
    }

    /** The batch's statement alone: what each lease row gave back, by row id (package-private for tests). */
    Map<Long, Given> writeSettles(List<Settlement> batch) {
        return Jdbc.call(settleSource, c -> {
            int n = batch.size();
            Object[] reservations = new Object[n];
            Object[] keys = new Object[n];
            Object[] models = new Object[n];
            Object[] prompt = new Object[n];
            Object[] completion = new Object[n];
            Object[] usd = new Object[n];
            Object[] held = new Object[n];
            Object[] heldUsd = new Object[n];
            Object[] requests = new Object[n];
            for (int i = 0; i < n; i++) {
                Settlement settlement = batch.get(i);
                requests[i] = settlement.requestId();
                held[i] = settlement.reservation().tokens();
                heldUsd[i] = settlement.reservation().usd();
                reservations[i] = settlement.reservation().id();
                keys[i] = settlement.reservation().keyId();
                models[i] = settlement.reservation().model();
                prompt[i] = settlement.promptTokens();
                completion[i] = settlement.completionTokens();
                usd[i] = settlement.usd();
            }
            Map<Long, Given> back = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("WITH"
                    + " s AS (SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::bigint[], ?::bigint[], ?::numeric[],"
                    + " ?::bigint[], ?::numeric[], ?::uuid[]) AS s(reservation, key_id, model, prompt, completion, usd, held, held_usd, request)),"
                    // Keys first, in id order, then their leases' rows, as every writer of them takes them. NO KEY
                    // UPDATE, the lock an UPDATE of the counters takes: FOR UPDATE would also wait for the
                    // key-share locks that inserting rows referring to a key (usage and lease rows) hold.
                    + " locked AS (SELECT id FROM ai_keys WHERE id IN (SELECT key_id FROM s) ORDER BY id FOR NO KEY UPDATE),"
                    // The audit rows first: only requests not settled before go on (a batch sent again finds none).
                    + " audit AS (INSERT INTO ai_spend (key_id, reservation_id, model, prompt_tokens, completion_tokens, usd, request_id)"
                    + " SELECT s.key_id, s.reservation, s.model, s.prompt, s.completion, s.usd, s.request FROM s"
                    + " WHERE s.key_id IN (SELECT id FROM locked) ON CONFLICT (request_id) DO NOTHING RETURNING request_id),"
                    + " f AS (SELECT s.* FROM s JOIN audit ON audit.request_id = s.request),"
                    // Each request's whole reservation leaves its lease: what it spent goes to spent, the rest back to
                    // the key. (Taking only the spend out would leave the rest parked in the lease, and a request
                    // that spent more than it reserved would eat the share of others still running.)
                    + " per AS (SELECT reservation, sum(held) AS tokens, sum(held_usd) AS usd FROM f GROUP BY reservation),"
                    + " l AS (SELECT a.id, a.key_id, a.tokens, a.usd FROM ai_reservations a"
                    + " WHERE a.id IN (SELECT reservation FROM per) AND (SELECT count(*) FROM locked) >= 0 ORDER BY a.id FOR UPDATE),"
                    // A row the sweep released gives nothing back; its spend still counts.
                    + " back AS (SELECT l.id, l.key_id, least(l.tokens, per.tokens) AS tokens, least(l.usd, per.usd) AS usd"
                    + " FROM l JOIN per ON per.reservation = l.id),"
                    + " r AS (UPDATE ai_reservations a SET tokens = a.tokens - back.tokens, usd = a.usd - back.usd, created_at = now()"
                    + " FROM back WHERE a.id = back.id RETURNING a.id, back.key_id, back.tokens, back.usd),"
                    + " given AS (SELECT key_id, sum(tokens) AS tokens, sum(usd) AS usd FROM r GROUP BY key_id),"
                    + " spent AS (SELECT key_id, sum(prompt + completion) AS tokens, sum(usd) AS usd FROM f GROUP BY key_id),"
                    + " k AS (UPDATE ai_keys SET reserved_tokens = reserved_tokens - COALESCE(given.tokens, 0),"
                    + " reserved_usd = reserved_usd - COALESCE(given.usd, 0),"
                    + " spent_tokens = spent_tokens + spent.tokens, spent_usd = spent_usd + spent.usd"
                    + " FROM locked JOIN spent ON spent.key_id = locked.id LEFT JOIN given ON given.key_id = locked.id"
                    + " WHERE ai_keys.id = locked.id RETURNING ai_keys.id),"
                    + " u AS (INSERT INTO ai_usage AS u (key_id, model, requests, prompt_tokens, completion_tokens, usd)"
                    + " SELECT f.key_id, f.model, count(*), sum(f.prompt), sum(f.completion), sum(f.usd) FROM f"
                    + " WHERE f.key_id IN (SELECT id FROM k) GROUP BY f.key_id, f.model ORDER BY f.key_id, f.model"
                    + " ON CONFLICT (key_id, model) DO UPDATE SET requests = u.requests + EXCLUDED.requests,"
                    + " prompt_tokens = u.prompt_tokens + EXCLUDED.prompt_tokens,"
                    + " completion_tokens = u.completion_tokens + EXCLUDED.completion_tokens, usd = u.usd + EXCLUDED.usd)"
                    + " SELECT id, tokens, usd FROM r")) {
                ps.setArray(1, c.createArrayOf("bigint", reservations));
                ps.setArray(2, c.createArrayOf("bigint", keys));
                ps.setArray(3, c.createArrayOf("text", models));
                ps.setArray(4, c.createArrayOf("bigint", prompt));
                ps.setArray(5, c.createArrayOf("bigint", completion));
                ps.setArray(6, c.createArrayOf("numeric", usd));
                ps.setArray(7, c.createArrayOf("bigint", held));
                ps.setArray(8, c.createArrayOf("numeric", heldUsd));
                ps.setArray(9, c.createArrayOf("uuid", requests));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        back.put(rs.getLong(1), new Given(rs.getLong(2), rs.getBigDecimal(3)));
                    }
                }
            }
            return back;
        });
    }

    /** Tokens and USD of a lease's row: what it gave back in a settle, or what requests reserved from it. */
    record Given(long tokens, BigDecimal usd) {
        static final Given NONE = new Given(0, BigDecimal.ZERO);

        Given plus(Given other) {
            return new Given(tokens + other.tokens, usd.add(other.usd));
        }
    }

    /**
     * A batch whose settle was never written: its requests stop counting here, and their leases end
     * (given back once unused). What those requests spent is not counted.
     */
    public void abandon(List<Settlement> batch) {
        for (Settlement settlement : batch) {
            Reservation r = settlement.reservation();
            leases.release(r.id(), r.tokens(), r.usd(), true);
        }
    }

    /** Gives the whole reservation back to its lease: the request failed before the provider spent anything. */
    public void release(Reservation reservation) {
        leases.release(reservation.id(), reservation.tokens(), reservation.usd(), false);
    }

    /**
     * Gives back to their keys the leases nobody used for a second (every lease without requests in
     * flight when {@code all}, as when the gateway stops), and touches the rows of the rest when a
     * heartbeat is due so the sweep leaves them alone. The gateway calls it a few times a second.
     */
    public void maintainLeases(boolean all) {
        List<KeyLeases.Lease> idle = leases.detachIdle(all);
        long[] live = leases.heartbeatDue();
        if (idle.isEmpty() && (live == null || live.length == 0)) {
            return;
        }
        try {
            Jdbc.call(dataSource, c -> {
                if (!idle.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement(ASYNC_COMMIT + ","
                            + " gone AS (SELECT unnest(?::bigint[]) AS id),"
                            + " locked AS (SELECT id FROM ai_keys WHERE id IN (SELECT key_id FROM ai_reservations WHERE id IN (SELECT id FROM gone))"
                            + " ORDER BY id FOR NO KEY UPDATE),"
                            + " r AS (DELETE FROM ai_reservations a WHERE a.id IN (SELECT id FROM gone) AND a.key_id IN (SELECT id FROM locked)"
                            + " RETURNING a.key_id, a.tokens, a.usd),"
                            + " s AS (SELECT key_id, sum(tokens) AS tokens, sum(usd) AS usd FROM r GROUP BY key_id)"
                            + " UPDATE ai_keys SET reserved_tokens = reserved_tokens - s.tokens, reserved_usd = reserved_usd - s.usd"
                            + " FROM s, async WHERE ai_keys.id = s.key_id")) {
                        ps.setArray(1, c.createArrayOf("bigint", idle.stream().map(l -> l.rowId).toArray()));
                        ps.executeUpdate();
                    }
                }
                if (live != null && live.length > 0) {
                    try (PreparedStatement ps = c.prepareStatement(ASYNC_COMMIT + ","
                            + " l AS (SELECT id FROM ai_reservations WHERE id = ANY(?) ORDER BY id FOR UPDATE)"
                            + " UPDATE ai_reservations a SET created_at = now() FROM l, async WHERE a.id = l.id")) {
                        ps.setArray(1, c.createArrayOf("bigint", Arrays.stream(live).boxed().toArray()));
                        ps.executeUpdate();
                    }
                }
                return null;
            });
        } catch (RuntimeException e) {
            // Kept to be given back, and the heartbeat to be sent, at the next call.
            leases.reattach(idle);
            if (live != null) {
                leases.heartbeatMissed();
            }
            throw e;
        }
    }

    /**
     * Releases leases not touched for longer than {@code age}: a replica that died left them. Keys
     * first, in id order, then their stale rows; a row a settle is changing right now is skipped
     * (SKIP LOCKED), since that settle touches it.
     */
    public int sweep(Duration age) {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("WITH locked AS (SELECT id FROM ai_keys WHERE id IN"
                    + " (SELECT key_id FROM ai_reservations WHERE created_at < now() - make_interval(secs => ?))"
                    + " ORDER BY id FOR NO KEY UPDATE),"
                    + " r AS (DELETE FROM ai_reservations WHERE id IN (SELECT id FROM ai_reservations"
                    + " WHERE key_id IN (SELECT id FROM locked) AND created_at < now() - make_interval(secs => ?) FOR UPDATE SKIP LOCKED)"
                    + " RETURNING key_id, tokens, usd),"
                    + " s AS (SELECT key_id, sum(tokens) AS tokens, sum(usd) AS usd FROM r GROUP BY key_id)"
                    + " UPDATE ai_keys SET reserved_tokens = reserved_tokens - s.tokens, reserved_usd = reserved_usd - s.usd"
                    + " FROM s WHERE ai_keys.id = s.key_id")) {
                ps.setDouble(1, age.toMillis() / 1000.0);
                ps.setDouble(2, age.toMillis() / 1000.0);
                return ps.executeUpdate();
            }
        });
    }

    /** What this process holds on a key's budget: {leased, reserved by requests in flight}; for tests. */
    long[] leasesHeld(long keyId) {
        return leases.holding(keyId);
    }

    public List<ModelUsage> usage(long keyId) {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT model, requests, prompt_tokens, completion_tokens, usd"
                    + " FROM ai_usage WHERE key_id = ? ORDER BY model")) {
                ps.setLong(1, keyId);
                try (ResultSet rs = ps.executeQuery()) {
                    List<ModelUsage> usage = new ArrayList<>();
                    while (rs.next()) {
                        usage.add(new ModelUsage(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getBigDecimal(5)));
                    }
                    return usage;
                }
            }
        });
    }

    private static VirtualKey key(ResultSet rs) throws SQLException {
        Array models = rs.getArray("models");
        return new VirtualKey(rs.getLong("id"), rs.getString("name"), rs.getString("key_prefix"),
                Jdbc.nullableLong(rs, "budget_tokens"), rs.getBigDecimal("budget_usd"), (Integer) rs.getObject("rpm"),
                models == null ? null : Arrays.asList((String[]) models.getArray()),
                Jdbc.instant(rs, "expires_at"), Jdbc.instant(rs, "revoked_at"), Jdbc.instant(rs, "created_at"),
                rs.getLong("spent_tokens"), rs.getBigDecimal("spent_usd"), rs.getLong("reserved_tokens"), rs.getBigDecimal("reserved_usd"));
    }

    /** Copied per use: asking the security providers for SHA-256 on every request costs more than the hash. */
    private static final MessageDigest SHA_256 = sha256();

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    static byte[] hash(String secret) {
        try {
            return ((MessageDigest) SHA_256.clone()).digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (CloneNotSupportedException e) {
            return sha256().digest(secret.getBytes(StandardCharsets.UTF_8));
        }
    }

}
