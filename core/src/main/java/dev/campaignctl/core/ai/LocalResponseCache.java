package dev.campaignctl.core.ai;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;

/** The in-process cache used when no {@code REDIS_URL} is set: Caffeine, same TTL, bounded size. */
public final class LocalResponseCache implements ResponseCache {

    private final Cache<String, Object> cache;
    private final Duration ttl;

    public LocalResponseCache(Duration ttl, long maxEntries) {
        this.ttl = ttl;
        this.cache = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(maxEntries).build();
    }

    @Override
    public Optional<GenerateResponse> get(String key) {
        return cache.getIfPresent(key) instanceof GenerateResponse response ? Optional.of(response) : Optional.empty();
    }

    @Override
    public Optional<String> getChat(String key) {
        return cache.getIfPresent(key) instanceof String json ? Optional.of(json) : Optional.empty();
    }

    @Override
    public void putChat(String key, String completionJson) {
        cache.put(key, completionJson);
    }

    @Override
    public void put(String key, GenerateResponse response) {
        cache.put(key, response);
    }

    @Override
    public long clear() {
        long size = cache.estimatedSize();
        cache.invalidateAll();
        return size;
    }

    @Override
    public CacheHealth health() {
        return new CacheHealth("memory", "ok", cache.estimatedSize() + " entries", ttl.toSeconds());
    }

    @Override
    public void close() {
        cache.invalidateAll();
    }
}
