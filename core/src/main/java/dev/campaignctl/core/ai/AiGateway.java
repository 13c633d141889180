package dev.campaignctl.core.ai;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.metrics.Metrics;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The LLM gateway: picks the provider, answers from the cache when it can, calls the provider with
 * retries (exponential backoff with jitter, honouring Retry-After) behind a circuit breaker per
 * provider, falls back to another provider when configured, and lets identical concurrent requests
 * share one provider call.
 */
public final class AiGateway implements AutoCloseable {

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final Counter CACHE_HITS = cacheLookups("hit");
    private static final Counter CACHE_MISSES = cacheLookups("miss");

    private final Map<String, LlmProvider> providers = new LinkedHashMap<>();
    private final Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();
    private final Map<String, Timer> providerSeconds = new LinkedHashMap<>();
    private final ResponseCache cache;
    private final AiConfig config;
    private final Retry retry;
    private final ConcurrentHashMap<String, CompletableFuture<GenerateResponse>> inflight = new ConcurrentHashMap<>();

    public AiGateway(AiConfig config, List<LlmProvider> providers, ResponseCache cache) {
        this.config = config;
        this.cache = cache;
        for (LlmProvider provider : providers) {
            this.providers.put(provider.id(), provider);
            this.breakers.put(provider.id(), CircuitBreaker.of(provider.id(), CircuitBreakerConfig.custom()
                    .slidingWindowSize(20)
                    .minimumNumberOfCalls(10)
                    .failureRateThreshold(50)
                    .waitDurationInOpenState(Duration.ofSeconds(30))
                    .recordException(e -> e instanceof ProviderException p && p.retryable())
                    .build()));
            CircuitBreaker breaker = breakers.get(provider.id());
            Metrics.gauge("campaignctl_ai_circuit_open", "1 while a provider's circuit breaker is open",
                    () -> breaker.getState() == CircuitBreaker.State.OPEN ? 1 : 0, "provider", provider.id());
            providerSeconds.put(provider.id(), Metrics.timer("campaignctl_ai_provider_seconds", "Provider call duration",
                    "provider", provider.id()));
        }
        this.retry = Retry.of("llm", RetryConfig.<Object>custom()
                .maxAttempts(1 + config.maxRetries())
                .retryOnException(e -> e instanceof ProviderException p && p.retryable())
                .intervalBiFunction(backoff(config.retryBase()))
                .build());
    }

    /** The gateway as configured by the environment: real providers, Redis or in-process cache. */
    public static AiGateway fromConfig(AiConfig config) {
        ResponseCache cache = config.redisUrl() != null ? new RedisResponseCache(config.redisUrl(), config.cacheTtl())
                : new LocalResponseCache(config.cacheTtl(), 100_000);
        return new AiGateway(config, List.of(
                new OpenAiProvider(config.openAiKey(), config.openAiModel(), config.openAiBaseUrl(), config.timeout()),
                new AnthropicProvider(config.anthropicKey(), config.anthropicModel(), config.anthropicBaseUrl(), config.timeout())),
                cache);
    }

    /** Backoff: Retry-After when the provider gave one, else base × 2^(attempt-1) with ±50 % jitter. */
    static IntervalBiFunction<Object> backoff(Duration base) {
        return (attempt, outcome) -> {
            if (outcome.isLeft() && outcome.getLeft() instanceof ProviderException p && p.retryAfter() != null) {
                return Math.min(p.retryAfter().toMillis(), MAX_BACKOFF.toMillis());
            }
            long exponential = base.toMillis() << Math.min(attempt - 1, 10);
            double jitter = 0.5 + ThreadLocalRandom.current().nextDouble();
            return Math.min((long) (exponential * jitter), MAX_BACKOFF.toMillis());
        };
    }

    /** The outcome of a generation, with whether the cache answered (for the X-Cache header). */
    public GenerateResponse generate(GenerateRequest request) {
        LlmProvider provider = provider(request.provider());
        String model = request.model() != null ? request.model() : provider.defaultModel();
        int maxTokens = request.maxTokensOrDefault();
        double temperature = request.temperatureOrDefault();
        if (!request.cacheable()) {
            return call(provider, request.prompt(), model, maxTokens, temperature);
        }
        String key = CacheKey.of(request.prompt(), provider.id(), model, maxTokens, temperature);
        var hit = cache.get(key);
        (hit.isPresent() ? CACHE_HITS : CACHE_MISSES).increment();
        if (hit.isPresent()) {
            return hit.get().asCached();
        }
        CompletableFuture<GenerateResponse> mine = new CompletableFuture<>();
        CompletableFuture<GenerateResponse> leader = inflight.putIfAbsent(key, mine);
        if (leader != null) {
            return await(leader);
        }
        try {
            GenerateResponse response = call(provider, request.prompt(), model, maxTokens, temperature);
            cache.put(key, response);
            mine.complete(response);
            return response;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inflight.remove(key, mine);
        }
    }

    private static GenerateResponse await(CompletableFuture<GenerateResponse> leader) {
        try {
            return leader.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }

    private GenerateResponse call(LlmProvider provider, String prompt, String model, int maxTokens, double temperature) {
        try {
            return attempt(provider, prompt, model, maxTokens, temperature);
        } catch (ApiException e) {
            LlmProvider fallback = fallbackFor(provider, e);
            if (fallback == null) {
                throw e;
            }
            String fallbackModel = fallback.defaultModel();
            return attempt(fallback, prompt, fallbackModel, maxTokens, temperature);
        }
    }

    private static Counter cacheLookups(String result) {
        return Metrics.counter("campaignctl_ai_cache_lookups_total", "AI cache lookups by result", "result", result);
    }

    /** One provider call, timed and its failures counted by status. */
    private Completion timed(LlmProvider provider, String prompt, String model, int maxTokens, double temperature) {
        long start = System.nanoTime();
        try {
            return provider.complete(prompt, model, maxTokens, temperature);
        } catch (ProviderException e) {
            // Looked up on each failure only: failures are rare, and their statuses too many to list ahead.
            Metrics.counter("campaignctl_ai_provider_errors_total", "Failed provider calls by status",
                    "provider", provider.id(), "status", String.valueOf(e.status())).increment();
            throw e;
        } finally {
            providerSeconds.get(provider.id()).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private GenerateResponse attempt(LlmProvider provider, String prompt, String model, int maxTokens, double temperature) {
        CircuitBreaker breaker = breakers.get(provider.id());
        try {
            Completion completion = retry.executeSupplier(() -> breaker.executeSupplier(
                    () -> timed(provider, prompt, model, maxTokens, temperature)));
            return new GenerateResponse(completion.text(), completion.model(), provider.displayName(),
                    completion.inputTokens() + completion.outputTokens(), completion.inputTokens(),
                    completion.outputTokens(), false);
        } catch (CallNotPermittedException e) {
            throw new ApiException(ErrorKind.UNAVAILABLE, "provider", provider.displayName()
                    + " is failing; its circuit breaker is open, calls resume within 30 s");
        } catch (ProviderException e) {
            throw gatewayError(provider, e);
        }
    }

    /**
     * One provider call of the OpenAI-compatible API behind the provider's circuit breaker and the
     * retries, timed; the provider refusing the request itself (400, 404, 422) is the caller's
     * error and keeps its status, with the provider's message.
     */
    <T> T resilient(LlmProvider provider, Supplier<T> call) {
        CircuitBreaker breaker = breakers.get(provider.id());
        Timer timer = providerSeconds.get(provider.id());
        try {
            return retry.executeSupplier(() -> breaker.executeSupplier(() -> {
                long start = System.nanoTime();
                try {
                    return call.get();
                } catch (ProviderException e) {
                    Metrics.counter("campaignctl_ai_provider_errors_total", "Failed provider calls by status",
                            "provider", provider.id(), "status", String.valueOf(e.status())).increment();
                    throw e;
                } finally {
                    timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                }
            }));
        } catch (CallNotPermittedException e) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, provider.displayName()
                    + " is failing; its circuit breaker is open, calls resume within 30 s");
        } catch (ProviderException e) {
            if (e.status() == 400 || e.status() == 422) {
                throw new ApiException(ErrorKind.VALIDATION, null, e.getMessage());
            }
            if (e.status() == 404) {
                throw new ApiException(ErrorKind.NOT_FOUND, "model_not_found", e.getMessage(), Map.of("param", "model"));
            }
            throw gatewayError(provider, e);
        }
    }

    /** The configured provider of that id, or a 503 naming the variable that configures it. */
    LlmProvider configured(String id) {
        return provider(id);
    }

    ResponseCache cache() {
        return cache;
    }

    /** The provider a failure of {@code failed} would fall back to, if any is configured. */
    LlmProvider fallbackOf(LlmProvider failed) {
        String name = config.fallbackProvider();
        LlmProvider fallback = name == null || name.equals(failed.id()) ? null : providers.get(name);
        return fallback != null && fallback.configured() ? fallback : null;
    }

    LlmProvider fallbackFor(LlmProvider failed, ApiException e) {
        String name = config.fallbackProvider();
        if (name == null || name.equals(failed.id()) || e.kind() == ErrorKind.VALIDATION) {
            return null;
        }
        LlmProvider fallback = providers.get(name);
        return fallback != null && fallback.configured() ? fallback : null;
    }

    /** Maps a provider failure to a gateway status; the message never carries the key. */
    static ApiException gatewayError(LlmProvider provider, ProviderException e) {
        String name = provider.displayName();
        if (e.isTimeout()) {
            return new ApiException(ErrorKind.GATEWAY_TIMEOUT, null, e.getMessage());
        }
        return switch (e.status()) {
            case 401, 403 -> new ApiException(ErrorKind.BAD_GATEWAY, null, name + " rejected the API key (status "
                    + e.status() + "); check " + provider.keyVariable());
            case 429 -> new ApiException(ErrorKind.UNAVAILABLE, null, name + " is rate-limiting us; gave up after retries");
            case 400, 404, 422 -> new ApiException(ErrorKind.BAD_GATEWAY, null, name + " refused the request: " + e.getMessage());
            default -> new ApiException(ErrorKind.BAD_GATEWAY, null, e.getMessage() + " (gave up after retries)");
        };
    }

    private LlmProvider provider(String requested) {
        String name = requested != null ? requested : defaultProvider();
        LlmProvider provider = providers.get(name);
        if (provider == null) {
            throw ApiException.invalid("provider", "unknown provider \"" + name + "\"; known: " + String.join(", ", providers.keySet()));
        }
        if (!provider.configured()) {
            throw new ApiException(ErrorKind.UNAVAILABLE, "provider", "provider " + name
                    + " is not configured: set " + provider.keyVariable());
        }
        return provider;
    }

    private String defaultProvider() {
        if (config.defaultProvider() != null) {
            return config.defaultProvider();
        }
        return providers.values().stream().filter(LlmProvider::configured).map(LlmProvider::id).findFirst()
                .orElseThrow(() -> new ApiException(ErrorKind.UNAVAILABLE, "provider",
                        "no provider configured: set OPENAI_API_KEY or ANTHROPIC_API_KEY"));
    }

    /** One provider, for {@code GET /providers}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProviderInfo(String name, String displayName, boolean configured, String defaultModel,
                               String keyVariable, String circuit) {
    }

    public List<ProviderInfo> providers() {
        List<ProviderInfo> list = new ArrayList<>();
        for (LlmProvider p : providers.values()) {
            list.add(new ProviderInfo(p.id(), p.displayName(), p.configured(), p.defaultModel(), p.keyVariable(),
                    breakers.get(p.id()).getState().name().toLowerCase()));
        }
        return list;
    }

    /** {@code GET /health}: healthy, or degraded while the cache is down (answers still flow). */
    public record Health(String status, String service, ResponseCache.CacheHealth cache, List<ProviderInfo> providers) {
    }

    public Health health() {
        ResponseCache.CacheHealth cacheHealth = cache.health();
        return new Health(cacheHealth.ok() ? "healthy" : "degraded", "ai-management", cacheHealth, providers());
    }

    public ResponseCache.CacheHealth cacheHealth() {
        return cache.health();
    }

    /** Clears the cache; a cache that cannot be reached is an error, not a silent success. */
    public long clearCache() {
        try {
            return cache.clear();
        } catch (RedisResponseCache.CacheUnavailableException e) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, e.getMessage());
        }
    }

    @Override
    public void close() {
        cache.close();
    }
}
