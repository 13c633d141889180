package dev.campaignctl.core.ai;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Requests per minute per key, in fixed one-minute windows: in Redis ({@code INCR} and
 * {@code EXPIRE} on {@code campaignctl:rpm:<key>:<minute>}) when {@code REDIS_URL} is set, so
 * replicas share the count; in this process otherwise, or while Redis does not answer.
 */
public final class RateLimiter implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class.getName());
    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(200);

    private final Cache<String, AtomicLong> local = Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(2)).build();
    private final RedisClient client;
    private volatile StatefulRedisConnection<String, String> connection;

    /** @param redisUrl null for counts in this process only */
    public RateLimiter(String redisUrl) {
        if (redisUrl == null) {
            client = null;
            return;
        }
        RedisURI uri = RedisURI.create(redisUrl);
        uri.setTimeout(COMMAND_TIMEOUT);
        client = RedisClient.create(uri);
    }

    /** Counts one request of {@code keyId}; false when it is over {@code rpm} in the current minute. */
    public boolean tryAcquire(long keyId, int rpm, long nowMillis) {
        long minute = nowMillis / 60_000;
        String name = "campaignctl:rpm:" + keyId + ":" + minute;
        Long count = redisCount(name);
        if (count == null) {
            count = local.get(name, k -> new AtomicLong()).incrementAndGet();
        }
        return count <= rpm;
    }

    private Long redisCount(String name) {
        if (client == null) {
            return null;
        }
        try {
            if (connection == null) {
                synchronized (this) {
                    if (connection == null) {
                        connection = client.connect();
                    }
                }
            }
            var redis = connection.sync();
            long count = redis.incr(name);
            if (count == 1) {
                redis.expire(name, 120);
            }
            return count;
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Redis rate limit unavailable; counting in this process", e);
            return null;
        }
    }

    @Override
    public void close() {
        if (client != null) {
            if (connection != null) {
                connection.close();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
