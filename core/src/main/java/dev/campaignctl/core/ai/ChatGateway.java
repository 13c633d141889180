package dev.campaignctl.core.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.ai.keys.KeyStore;
import dev.campaignctl.core.ai.keys.VirtualKey;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The OpenAI-compatible side of the gateway ({@code POST /v1/chat/completions}): routes the model
 * to a provider, applies a virtual key's model list, rate limit and budget, answers from the cache
 * when it can (a cached answer to a streaming request is replayed as a stream), and otherwise calls
 * the provider through {@link AiGateway}'s retries and circuit breakers.
 * <p>
 * Budgets are kept by reservation: before the provider is called, the request's maximum cost (an
 * upper bound of its prompt plus its {@code max_tokens}) is reserved on the key in PostgreSQL;
 * when the call ends — answered, failed, or left by a client mid-stream — the reservation is
 * settled with what the provider counted and the rest given back. Cache hits cost nothing.
 */
public final class ChatGateway implements AutoCloseable {

    /** Where a streamed answer goes; a write that fails because the client left throws IOException. */
    public interface StreamWriter {
        /** Called once, before the first chunk: whether the answer comes from the cache. */
        void start(boolean cached) throws IOException;

        /** One chunk's JSON, sent at once. */
        void chunk(byte[] json) throws IOException;

        /** A chunk that may stay in the writer's buffer until {@link #flush}, when another follows at once. */
        default void chunkUnflushed(byte[] json) throws IOException {
            chunk(json);
        }

        /** Sends what {@link #chunkUnflushed} left in the buffer. */
        default void flush() throws IOException {
        }

        /** The end: {@code data: [DONE]}. */
        void done() throws IOException;
    }

    /** A whole answer and whether the cache gave it. */
    public record Reply(ObjectNode completion, boolean cached) {
    }

    private static final AtomicInteger OUTSTANDING = new AtomicInteger();
    private static final Logger LOG = Logger.getLogger(ChatGateway.class.getName());
    /**
     * Settles run after the answer has gone out, in batches by one thread: a batch ends in a
     * durable commit (a disk flush), which the client need not wait for — the reservation keeps
     * holding the budget until it commits — and one flush serves the whole batch.
     */
    private final LinkedBlockingQueue<KeyStore.Settlement> settles = new LinkedBlockingQueue<>();
    private final Thread settler = Thread.ofPlatform().daemon().name("ai-settler").unstarted(this::settleLoop);
    private volatile boolean closing;

    static {
        Metrics.gauge("campaignctl_ai_reservations_outstanding", "Budget reservations of requests in flight in this process",
                OUTSTANDING::get);
    }

    private final AiGateway gateway;
    private final ModelRouter router;
    private final Prices prices;
    private final KeyStore keys;
    private final RateLimiter limiter;
    private final int maxTokensCap;

    /**
     * @param keys         null when no database holds keys (then only the service's token or an open service can call)
     * @param maxTokensCap the completion limit reserved — and sent to the provider — when a request has none
     */
    public ChatGateway(AiGateway gateway, ModelRouter router, Prices prices, KeyStore keys, RateLimiter limiter, int maxTokensCap) {
        this.gateway = gateway;
        this.router = router;
        this.prices = prices;
        this.keys = keys;
        this.limiter = limiter;
        this.maxTokensCap = maxTokensCap;
        if (keys != null) {
            settler.start();
        }
    }

    /** The gateway's chat side as configured: aliases and prices from {@code config}, keys in {@code keys} (or none). */
    public static ChatGateway of(AiGateway gateway, AiConfig config, KeyStore keys, RateLimiter limiter) {
        GatewaySettings settings = config.gateway();
        return new ChatGateway(gateway, new ModelRouter(settings.aliases(),
                config.openAiBaseUrl() != null && !config.openAiBaseUrl().startsWith(OpenAiProvider.DEFAULT_BASE_URL)), settings.prices(),
                keys, limiter, settings.maxTokensCap());
    }

    public KeyStore keys() {
        return keys;
    }

    /** How a request is served: {@code request} as sent to the provider, {@code asked} as the client sent it. */
    private record Plan(LlmProvider provider, String model, ChatRequest request, ChatRequest asked, Prices.Price price) {
        /** The cache's key, made only when the cache is used: hashing the canonical request costs every request otherwise. */
        String cacheKey() {
            return CacheKey.chat(provider.id(), model, asked.canonical());
        }
    }

    private Plan plan(VirtualKey key, ChatRequest request) {
        ModelRouter.Route route = router.route(request.model());
        if (key != null && !key.allows(request.model()) && !key.allows(route.model())) {
            throw new ApiException(ErrorKind.FORBIDDEN, "model_not_allowed", "key " + key.id()
                    + " may not call model " + request.model() + "; it may call " + String.join(", ", key.models()),
                    Map.of("param", "model"));
        }
        LlmProvider provider = gateway.configured(route.provider());
        ChatRequest sent = request;
        boolean budgeted = key != null && (key.budgetTokens() != null || key.budgetUsd() != null);
        if (request.maxTokens() == null && (budgeted || provider.id().equals("anthropic"))) {
            // Without a limit the provider could write past what was reserved.
            sent = request.withMaxTokens(maxTokensCap);
        }
        Prices.Price price = prices.of(route.model()).or(() -> prices.of(request.model())).orElse(null);
        if (price == null && key != null && key.budgetUsd() != null) {
            throw ApiException.invalid("model", "no price for " + route.model() + " in AI_PRICES, and key " + key.id()
                    + " has a USD budget that could not be kept");
        }
        return new Plan(provider, route.model(), sent, request, price);
    }

    private void admit(VirtualKey key) {
        if (key != null && key.rpm() != null && !limiter.tryAcquire(key.id(), key.rpm(), System.currentTimeMillis())) {
            throw new ApiException(ErrorKind.TOO_MANY_REQUESTS, "rate_limit_exceeded", "rpm of key " + key.id() + " (\""
                    + key.name() + "\") reached: " + key.rpm() + " requests per minute", Map.of("budget", "rpm"));
        }
    }

    /** An answer to a request with {@code stream} false. */
    public Reply complete(VirtualKey key, ChatRequest request, boolean useCache) {
        Plan plan = plan(key, request);
        admit(key);
        if (useCache) {
            Optional<String> hit = gateway.cache().getChat(plan.cacheKey());
            if (hit.isPresent()) {
                return new Reply((ObjectNode) Json.tree(hit.get()), true);
            }
        }
        KeyStore.Reservation reservation = reserve(key, plan);
        ChatAnswer answer;
        try {
            answer = call(plan, false);
        } catch (RuntimeException e) {
            release(reservation);
            throw e;
        }
        Usage usage = known(answer.usage(), plan, answer.completion().at("/choices/0/message/content").asText("").length() / 4);
        settle(key, reservation, plan, usage);
        if (useCache) {
            gateway.cache().putChat(plan.cacheKey(), Json.writeAsRead(answer.completion()));
        }
        return new Reply(answer.completion(), false);
    }

    /**
     * Streams the answer to {@code out} as OpenAI chunks. Failures before the first chunk are
     * thrown as for {@link #complete}; after it, a provider failure is thrown too (the caller ends
     * the stream with an error event), and a client that left ends in an IOException, the
     * provider's call cancelled and the reservation settled either way. Only {@code out} throws
     * IOException here.
     */
    public void stream(VirtualKey key, ChatRequest request, boolean useCache, StreamWriter out) throws IOException {
        Plan plan = plan(key, request);
        admit(key);
        if (useCache) {
            Optional<String> hit = gateway.cache().getChat(plan.cacheKey());
            if (hit.isPresent()) {
                replay((ObjectNode) Json.tree(hit.get()), request.includeUsage(), out);
                return;
            }
        }
        KeyStore.Reservation reservation = reserve(key, plan);
        ChatStream upstream;
        try {
            upstream = call(plan, true);
        } catch (RuntimeException e) {
            release(reservation);
            throw e;
        }
        Assembly assembly = new Assembly();
        try (upstream) {
            out.start(false);
            // What was written goes out whenever the provider has sent nothing more yet: chunks that
            // arrived together leave in one write, and none waits while the provider is slow.
            boolean coalesced = upstream.beforeWaiting(() -> {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw new ClientLeft(e);
                }
            });
            StreamChunk chunk;
            boolean first = true;
            while ((chunk = next(upstream, plan)) != null) {
                assembly.add(chunk);
                if (chunk.usageOnly() && !request.includeUsage()) {
                    continue;
                }
                byte[] json = chunk.json(request.includeUsage());
                if (first || !coalesced) {
                    // The first chunk goes out at once: the client's time to first byte.
                    out.chunk(json);
                    first = false;
                } else {
                    out.chunkUnflushed(json);
                }
            }
            out.done();
        } catch (ClientLeft e) {
            throw e.getCause();
        } finally {
            // Answered, left by the client, or failed mid-stream: what was generated is spent either way.
            settle(key, reservation, plan, known(upstream.usage(), plan, assembly.contentChunks));
        }
        if (useCache && assembly.finishReason != null) {
            gateway.cache().putChat(plan.cacheKey(), Json.writeAsRead(assembly.completion(upstream.usage())));
        }
    }

    /** A flush to the client that failed while the provider's stream was being read: the client left. */
    private static final class ClientLeft extends RuntimeException {
        ClientLeft(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    /** The provider's next chunk; its connection failing is the provider's failure, never the client's. */
    private static StreamChunk next(ChatStream upstream, Plan plan) {
        try {
            return upstream.next();
        } catch (IOException e) {
            throw new ApiException(ErrorKind.BAD_GATEWAY, null, plan.provider().displayName() + "'s stream broke off: "
                    + e.getClass().getSimpleName());
        } catch (ProviderException e) {
            throw new ApiException(ErrorKind.BAD_GATEWAY, null, e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T call(Plan plan, boolean stream) {
        try {
            return (T) gateway.resilient(plan.provider(), () -> stream ? plan.provider().streamChat(plan.request(), plan.model())
                    : plan.provider().chat(plan.request(), plan.model()));
        } catch (ApiException e) {
            LlmProvider fallback = e.kind() == ErrorKind.VALIDATION || e.kind() == ErrorKind.NOT_FOUND ? null
                    : gateway.fallbackFor(plan.provider(), e);
            if (fallback == null) {
                throw e;
            }
            ChatRequest request = fallback.id().equals("anthropic") && plan.request().maxTokens() == null
                    ? plan.request().withMaxTokens(maxTokensCap) : plan.request();
            return (T) gateway.resilient(fallback, () -> stream ? fallback.streamChat(request, fallback.defaultModel())
                    : fallback.chat(request, fallback.defaultModel()));
        }
    }

    /** The provider's counts, or where it gave none the bound of the prompt and the content's estimate. */
    private static Usage known(Usage reported, Plan plan, long completionEstimate) {
        long prompt = reported.promptTokens() >= 0 ? reported.promptTokens() : plan.request().promptTokenBound();
        long completion = reported.completionTokens() >= 0 ? reported.completionTokens() : completionEstimate;
        return new Usage(prompt, completion);
    }

    private KeyStore.Reservation reserve(VirtualKey key, Plan plan) {
        if (key == null || keys == null) {
            return null;
        }
        long prompt = plan.request().promptTokenBound();
        long completion = plan.request().maxTokens() == null ? maxTokensCap : plan.request().maxTokens();
        BigDecimal usd = plan.price() == null ? BigDecimal.ZERO : plan.price().cost(prompt, completion);
        LlmProvider fallback = gateway.fallbackOf(plan.provider());
        if (fallback != null) {
            // A fallback may answer with another model: reserve for the dearer of the two.
            BigDecimal other = prices.of(fallback.defaultModel()).map(p -> p.cost(prompt, completion)).orElse(BigDecimal.ZERO);
            usd = usd.max(other);
        }
        KeyStore.Reservation reservation = keys.reserve(key, plan.model(), prompt + completion, usd);
        OUTSTANDING.incrementAndGet();
        return reservation;
    }

    private void release(KeyStore.Reservation reservation) {
        if (reservation != null) {
            try {
                keys.release(reservation);
            } finally {
                OUTSTANDING.decrementAndGet();
            }
        }
    }

    /** Prompt tokens, completion tokens and USD spent by one key (or none) on one model. */
    private record Spend(Counter prompt, Counter completion, Counter usd) {
        static Spend of(String key, String model) {
            String tokens = "Tokens spent through the OpenAI-compatible API, by key, model and type";
            return new Spend(Metrics.counter("campaignctl_ai_tokens_total", tokens, "key", key, "model", model, "type", "prompt"),
                    Metrics.counter("campaignctl_ai_tokens_total", tokens, "key", key, "model", model, "type", "completion"),
                    Metrics.counter("campaignctl_ai_cost_usd_total", "USD spent through the OpenAI-compatible API, by key and model",
                            "key", key, "model", model));
        }
    }

    /** The counters by key id (0 for none) and model, found once: looking a meter up builds its id and searches the registry. */
    private final Map<Long, Map<String, Spend>> spends = new ConcurrentHashMap<>();

    private void settle(VirtualKey key, KeyStore.Reservation reservation, Plan plan, Usage usage) {
        BigDecimal usd = plan.price() == null ? BigDecimal.ZERO : plan.price().cost(usage.promptTokens(), usage.completionTokens());
        Spend spend = spends.computeIfAbsent(key == null ? 0L : key.id(), id -> new ConcurrentHashMap<>())
                .computeIfAbsent(plan.model(), model -> Spend.of(key == null ? "none" : String.valueOf(key.id()), model));
        spend.prompt().increment(usage.promptTokens());
        spend.completion().increment(usage.completionTokens());
        spend.usd().increment(usd.doubleValue());
        if (reservation != null) {
            settles.add(new KeyStore.Settlement(reservation, usage.promptTokens(), usage.completionTokens(), usd));
        }
    }

    /**
     * How long the first settle of a batch waits for others: a batch costs one statement and one disk
     * flush however many it holds, and its requests have been answered already.
     */
    private static final long SETTLE_LINGER_MILLIS = 20;

    /**
     * Takes what is queued (up to 500 settles, gathered for {@link #SETTLE_LINGER_MILLIS}), settles
     * it in one batch, and again, until closed and drained; between batches, gives idle leases back
     * to their keys. Then gives back every lease.
     */
    private void settleLoop() {
        List<KeyStore.Settlement> batch = new ArrayList<>();
        while (!closing || !settles.isEmpty()) {
            try {
                KeyStore.Settlement first = settles.poll(100, TimeUnit.MILLISECONDS);
                if (first != null) {
                    if (!closing) {
                        Thread.sleep(SETTLE_LINGER_MILLIS);
                    }
                    batch.add(first);
                    settles.drainTo(batch, 499);
                    settleBatch(batch);
                }
                maintainLeases(false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                OUTSTANDING.addAndGet(-batch.size());
                batch.clear();
            }
        }
        maintainLeases(true);
    }

    private void maintainLeases(boolean all) {
        try {
            keys.maintainLeases(all);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not give idle budget leases back: " + e.getMessage());
        }
    }

    /**
     * Tried three times, a second apart (each request settles under its own id, so a try whose commit
     * went through uncounted by us counts nothing twice); a batch that never commits is abandoned,
     * its spend uncounted.
     */
    private void settleBatch(List<KeyStore.Settlement> batch) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                keys.settleAll(batch);
                return;
            } catch (RuntimeException e) {
                if (attempt == 3) {
                    LOG.log(Level.WARNING, "could not settle " + batch.size() + " reservation(s), whose spend may go uncounted: "
                            + e.getMessage());
                    keys.abandon(batch);
                    return;
                }
                Thread.sleep(1000);
            }
        }
    }

    /** Settles what is still queued, then stops: stop the server first, then this. */
    @Override
    public void close() {
        closing = true;
        if (settler.isAlive()) {
            try {
                settler.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A cached answer sent as the stream it would have been: role, content, finish, usage if asked, [DONE]. */
    private static void replay(ObjectNode completion, boolean includeUsage, StreamWriter out) throws IOException {
        out.start(true);
        JsonNode choice = completion.path("choices").path(0);
        out.chunk(Json.bytesAsRead(chunk(completion, Json.MAPPER.createObjectNode().put("role", "assistant").put("content", ""), null)));
        String text = choice.path("message").path("content").asText("");
        for (int i = 0; i < text.length(); i += 64) {
            out.chunk(Json.bytesAsRead(chunk(completion, Json.MAPPER.createObjectNode().put("content",
                    text.substring(i, Math.min(text.length(), i + 64))), null)));
        }
        out.chunk(Json.bytesAsRead(chunk(completion, Json.MAPPER.createObjectNode(), choice.path("finish_reason").asText("stop"))));
        if (includeUsage && completion.path("usage").isObject()) {
            ObjectNode usage = chunk(completion, null, null);
            usage.putArray("choices");
            usage.set("usage", completion.get("usage"));
            out.chunk(Json.bytesAsRead(usage));
        }
        out.done();
    }

    private static ObjectNode chunk(ObjectNode completion, ObjectNode delta, String finishReason) {
        ObjectNode chunk = Json.MAPPER.createObjectNode();
        chunk.put("id", completion.path("id").asText("chatcmpl-cached"));
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", completion.path("created").asLong(Instant.now().getEpochSecond()));
        chunk.put("model", completion.path("model").asText());
        if (delta != null) {
            ObjectNode choice = chunk.putArray("choices").addObject();
            choice.put("index", 0);
            choice.set("delta", delta);
            choice.putNull("logprobs");
            if (finishReason == null) {
                choice.putNull("finish_reason");
            } else {
                choice.put("finish_reason", finishReason);
            }
        }
        return chunk;
    }

    /** A streamed answer put back together, for the cache and for estimating what a cut stream spent. */
    private static final class Assembly {
        private final StringBuilder text = new StringBuilder();
        private String id;
        private String model;
        private long created;
        private String finishReason;
        private long contentChunks;

        void add(StreamChunk chunk) {
            id = chunk.id() != null ? chunk.id() : id;
            model = chunk.model() != null ? chunk.model() : model;
            created = chunk.created() >= 0 ? chunk.created() : created;
            String content = chunk.content();
            if (content != null && !content.isEmpty()) {
                text.append(content);
                contentChunks = Math.max(contentChunks + 1, text.length() / 4);
            }
            if (chunk.finishReason() != null) {
                finishReason = chunk.finishReason();
            }
        }

        ObjectNode completion(Usage usage) {
            ObjectNode completion = Json.MAPPER.createObjectNode();
            completion.put("id", id);
            completion.put("object", "chat.completion");
            completion.put("created", created);
            completion.put("model", model);
            ObjectNode choice = completion.putArray("choices").addObject();
            choice.put("index", 0);
            choice.putObject("message").put("role", "assistant").put("content", text.toString());
            choice.putNull("logprobs");
            choice.put("finish_reason", finishReason);
            long in = Math.max(usage.promptTokens(), 0);
            long out = Math.max(usage.completionTokens(), 0);
            completion.putObject("usage").put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in + out);
            return completion;
        }
    }

    /** {@code GET /v1/models}: the aliases, the providers' default models, or exactly a key's model list. */
    public ObjectNode models(VirtualKey key) {
        Set<String> names = new LinkedHashSet<>();
        if (key != null && key.models() != null && !key.models().isEmpty()) {
            names.addAll(key.models());
        } else {
            names.addAll(router.aliases().keySet());
            for (AiGateway.ProviderInfo provider : gateway.providers()) {
                if (provider.configured()) {
                    names.add(provider.defaultModel());
                }
            }
        }
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("object", "list");
        ArrayNode data = list.putArray("data");
        for (String name : names) {
            String owner;
            try {
                owner = router.route(name).provider();
            } catch (ApiException e) {
                owner = "campaignctl";
            }
            data.addObject().put("id", name).put("object", "model").put("created", 0).put("owned_by", owner);
        }
        return list;
    }

}
