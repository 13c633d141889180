package dev.campaignctl.core.ai;

import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.metrics.Metrics;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Redis cache (Lettuce). Redis being down never fails a request: reads become misses, writes
 * are skipped, health says {@code degraded}; the connection is retried in the background by
 * Lettuce, or lazily here when Redis was not up at start, and caching resumes by itself.
 */
public final class RedisResponseCache implements ResponseCache {

    private static final Logger LOG = Logger.getLogger(RedisResponseCache.class.getName());
    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);
    private static final Duration RECONNECT_PAUSE = Duration.ofSeconds(1);
    private static final Counter ERRORS = Metrics.counter("campaignctl_ai_cache_errors_total",
            "Redis cache operations that failed");

    private final RedisClient client;
    private final Duration ttl;
    private final String safeUrl;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile Instant lastAttempt = Instant.EPOCH;
    private volatile String lastError = "not connected yet";

    public RedisResponseCache(String url, Duration ttl) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(COMMAND_TIMEOUT);
        this.safeUrl = uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
        this.ttl = ttl;
        this.client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .socketOptions(SocketOptions.builder().connectTimeout(COMMAND_TIMEOUT).build())
                .build());
        connect();
    }

    private synchronized RedisCommands<String, String> commands() {
        if (connection == null && Instant.now().isAfter(lastAttempt.plus(RECONNECT_PAUSE))) {
            connect();
        }
        return connection == null ? null : connection.sync();
    }

    private void connect() {
        lastAttempt = Instant.now();
        try {
            connection = client.connect();
            lastError = null;
        } catch (RuntimeException e) {
            lastError = e.getClass().getSimpleName();
            LOG.log(Level.WARNING, "Redis at " + safeUrl + " unreachable; answering uncached until it is back");
        }
    }

    @Override
    public Optional<GenerateResponse> get(String key) {
        try {
            RedisCommands<String, String> redis = commands();
            String json = redis == null ? null : redis.get(key);
            lastError = redis == null ? lastError : null;
            return json == null ? Optional.empty() : Optional.of(Json.MAPPER.readValue(json, GenerateResponse.class));
        } catch (Exception e) {
            failed(e);
            return Optional.empty();
        }
    }

    @Override
    public void put(String key, GenerateResponse response) {
        try {
            RedisCommands<String, String> redis = commands();
            if (redis != null) {
                redis.set(key, Json.write(response), SetArgs.Builder.ex(ttl));
            }
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public Optional<String> getChat(String key) {
        try {
            RedisCommands<String, String> redis = commands();
            String json = redis == null ? null : redis.get(key);
            lastError = redis == null ? lastError : null;
            return Optional.ofNullable(json);
        } catch (RuntimeException e) {
            failed(e);
            return Optional.empty();
        }
    }

    @Override
    public void putChat(String key, String completionJson) {
        try {
            RedisCommands<String, String> redis = commands();
            if (redis != null) {
                redis.set(key, completionJson, SetArgs.Builder.ex(ttl));
            }
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public long clear() {
        RedisCommands<String, String> redis = commands();
        if (redis == null) {
            throw new CacheUnavailableException("Redis at " + safeUrl + " is unreachable");
        }
        try {
            long removed = 0;
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(CacheKey.PREFIX + "*").limit(500));
                if (!page.getKeys().isEmpty()) {
                    removed += redis.del(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
            return removed;
        } catch (RuntimeException e) {
            failed(e);
            throw new CacheUnavailableException("Redis at " + safeUrl + " failed: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public CacheHealth health() {
        try {
            RedisCommands<String, String> redis = commands();
            if (redis != null && "PONG".equals(redis.ping())) {
                lastError = null;
                return new CacheHealth("redis", "ok", safeUrl, ttl.toSeconds());
            }
        } catch (RuntimeException e) {
            failed(e);
        }
        return new CacheHealth("redis", "degraded", safeUrl + " unreachable (" + lastError + "); answering uncached", ttl.toSeconds());
    }

    private void failed(Exception e) {
        ERRORS.increment();
        lastError = e.getClass().getSimpleName();
        LOG.log(Level.FINE, "Redis cache operation failed", e);
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    /** Thrown by {@link #clear()} alone: clearing a cache that cannot be reached must not claim success. */
    public static final class CacheUnavailableException extends RuntimeException {
        public CacheUnavailableException(String message) {
            super(message);
        }
    }
}
