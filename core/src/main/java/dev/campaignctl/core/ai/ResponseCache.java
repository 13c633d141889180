package dev.campaignctl.core.ai;

import java.util.Optional;

/**
 * Where generated answers are kept for {@code CACHE_TTL}. Implementations never throw on a cache
 * failure: a cache that is down is a miss, and {@link #health()} says so.
 */
public interface ResponseCache extends AutoCloseable {

    Optional<GenerateResponse> get(String key);

    void put(String key, GenerateResponse response);

    /** A cached chat completion (OpenAI's JSON), under a key of {@link CacheKey#chat}. */
    Optional<String> getChat(String key);

    void putChat(String key, String completionJson);

    /** Removes every cached answer; returns how many were removed (or -1 when unknown). */
    long clear();

    CacheHealth health();

    @Override
    void close();

    /** The cache's state for {@code /health} and {@code /cache/health}. */
    record CacheHealth(String backend, String status, String detail, long ttlSeconds) {
        public boolean ok() {
            return status.equals("ok");
        }
    }
}
