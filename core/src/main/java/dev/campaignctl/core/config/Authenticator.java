package dev.campaignctl.core.config;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks API credentials against the stored username and PBKDF2 hash, so that neither a busy good
 * client nor a flood of bad guesses costs the server the slow hash on every request:
 * <ul>
 *   <li>the one valid pair, once verified (or {@linkplain #knownValid given} by a caller that
 *       checked it), is remembered as an HMAC under a key of this process: the good path costs no
 *       hashing, and any other pair is refused without hashing either;</li>
 *   <li>a pair that failed is remembered too, so repeating it costs nothing;</li>
 *   <li>failures are counted per client address and per user name: after {@value #MAX_FAILURES}
 *       (per address) or {@value #MAX_USER_FAILURES} (per user) within a minute the caller is
 *       {@linkplain Verdict#throttled throttled} until the minute is over, and one address hashes
 *       at most one guess at a time.</li>
 * </ul>
 * A successful check of a hash made with fewer iterations than today's re-hashes the password
 * and hands the new hash to {@code rehashed} (old hashes keep working meanwhile). Comparisons are
 * constant-time.
 */
public final class Authenticator {

    static final int MAX_FAILURES = 5;
    static final int MAX_USER_FAILURES = 20;
    static final Duration WINDOW = Duration.ofMinutes(1);
    private static final int TRACKED = 100_000;

    /** The outcome of a check; {@code retryAfter} is set when throttled. */
    public record Verdict(boolean ok, Duration retryAfter) {
        static final Verdict OK = new Verdict(true, null);
        static final Verdict INVALID = new Verdict(false, null);

        public boolean throttled() {
            return retryAfter != null;
        }
    }

    /** Failures in the current window of one address or user, and when the window began. */
    private static final class Failures {
        final long windowStart = System.nanoTime();
        final AtomicInteger count = new AtomicInteger();

        Duration retryAfter(int limit) {
            long left = WINDOW.toNanos() - (System.nanoTime() - windowStart);
            return count.get() >= limit && left > 0 ? Duration.ofNanos(left) : null;
        }
    }

    private final byte[] username;
    private final String usernameText;
    private final Consumer<String> rehashed;
    private final SecretKeySpec macKey;
    private final Mac keyedMac;
    private volatile String passwordHash;
    private volatile byte[] knownGood;
    private final Cache<String, Boolean> refused = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(10)).build();
    private final Cache<String, Failures> failures = Caffeine.newBuilder().maximumSize(TRACKED)
            .expireAfterWrite(WINDOW).build();
    private final ConcurrentHashMap<String, Boolean> hashing = new ConcurrentHashMap<>();
    private final AtomicInteger hashed = new AtomicInteger();

    public Authenticator(String username, String passwordHash) {
        this(username, passwordHash, hash -> { });
    }

    /** @param rehashed receives a stronger hash of the password after a successful check of a weaker one */
    public Authenticator(String username, String passwordHash, Consumer<String> rehashed) {
        this.username = PasswordHash.sha256(username);
        this.usernameText = username;
        this.passwordHash = passwordHash;
        this.rehashed = rehashed;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.macKey = new SecretKeySpec(key, "HmacSHA256");
        this.keyedMac = keyed(macKey);
    }

    /** For callers without a client address (in-process checks). */
    public boolean verify(String user, String password) {
        return verify("local", user, password).ok();
    }

    /**
     * Checks a pair from {@code client} (its address). The valid pair, once known, is accepted
     * whatever the client's failures, so an attacker on a shared address cannot lock a good client
     * out of a warm service.
     */
    public Verdict verify(String client, String user, String password) {
        byte[] pair = mac(user + '\0' + password);
        byte[] good = knownGood;
        if (good != null && MessageDigest.isEqual(good, pair)) {
            return Verdict.OK;
        }
        Duration wait = throttledFor(client, user);
        if (wait != null) {
            return new Verdict(false, wait);
        }
        String key = Base64.getEncoder().encodeToString(pair);
        if (good != null || refused.getIfPresent(key) != null) {
            // The one valid pair is known and this is not it, or this very pair failed before.
            return failed(client, user);
        }
        if (hashing.putIfAbsent(client, Boolean.TRUE) != null) {
            return new Verdict(false, Duration.ofSeconds(1));
        }
        try {
            boolean userMatches = MessageDigest.isEqual(username, PasswordHash.sha256(user));
            String stored = passwordHash;
            hashed.incrementAndGet();
            if (PasswordHash.verify(password, stored) && userMatches) {
                succeeded(pair, password, stored);
                return Verdict.OK;
            }
            refused.put(key, Boolean.TRUE);
            return failed(client, user);
        } finally {
            hashing.remove(client);
        }
    }

    /** Remembers a pair known to be valid (checked against the stored hash by the caller) without hashing it again. */
    public Authenticator knownValid(String password) {
        knownGood = mac(usernameText + '\0' + password);
        return this;
    }

    private void succeeded(byte[] pair, String password, String stored) {
        knownGood = pair;
        if (PasswordHash.needsRehash(stored)) {
            String stronger = PasswordHash.hash(password);
            passwordHash = stronger;
            rehashed.accept(stronger);
        }
    }

    /** How many slow hashes this authenticator has computed; for tests. */
    int hashed() {
        return hashed.get();
    }

    private Duration throttledFor(String client, String user) {
        Failures byClient = failures.getIfPresent("client\0" + client);
        Failures byUser = failures.getIfPresent("user\0" + user);
        Duration wait = byClient == null ? null : byClient.retryAfter(MAX_FAILURES);
        if (wait == null && byUser != null) {
            wait = byUser.retryAfter(MAX_USER_FAILURES);
        }
        return wait;
    }

    private Verdict failed(String client, String user) {
        failures.get("client\0" + client, k -> new Failures()).count.incrementAndGet();
        failures.get("user\0" + user, k -> new Failures()).count.incrementAndGet();
        return Verdict.INVALID;
    }

    /**
     * A copy of a Mac keyed once: {@code Mac.getInstance} looks the algorithm up among the security
     * providers on every call, a measurable part of a request that needs nothing else from them.
     * The keyed original is only ever copied, never used, so copies may be made from any thread.
     */
    private byte[] mac(String text) {
        try {
            Mac mac;
            try {
                mac = (Mac) keyedMac.clone();
            } catch (CloneNotSupportedException notCloneable) {
                mac = Mac.getInstance("HmacSHA256");
                mac.init(macKey);
            }
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static Mac keyed(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
