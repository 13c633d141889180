package dev.campaignctl.core.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.campaignctl.core.api.DomainApi;
import dev.campaignctl.core.api.RequestId;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.event.BatchResult;
import dev.campaignctl.core.event.EventBatch;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.event.Outcomes;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Registers a file of events through the domain API's batch endpoint, {@code concurrency} chunks
 * at a time. Transient failures are retried with exponential backoff and jitter; a circuit breaker
 * shared by all workers pauses the run while the domain service is down and lets it resume when the
 * service is back. Every event has an idempotency key, so a re-run registers only what is missing.
 *
 * <pre>{@code
 * EventAgent.Summary summary = new EventAgent(domain, EventAgent.Options.defaults()).run(EventFile.parse(bytes), progress);
 * }</pre>
 */
public final class EventAgent {

    /** How a run behaves. */
    public record Options(int concurrency, int chunkSize, Duration maxDowntime, boolean waitForProcessing, Duration waitTimeout) {
        public Options {
            if (concurrency < 1 || concurrency > 256) {
                throw ApiException.invalid("concurrency", "must be 1 to 256, got " + concurrency);
            }
            if (chunkSize < 1 || chunkSize > EventBatch.MAX_EVENTS) {
                throw ApiException.invalid("chunk-size", "must be 1 to 10000, got " + chunkSize);
            }
        }

        public static Options defaults() {
            return new Options(16, 1000, Duration.ofMinutes(5), false, Duration.ofMinutes(10));
        }
    }

    /** Called about once a second while a run goes on. */
    @FunctionalInterface
    public interface Progress {
        void update(long done, long total);

        Progress NONE = (done, total) -> { };
    }

    /** What a run did. {@code outcomes} is set when it waited for processing. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Summary(int records, long registered, long duplicates, int invalid, long conflicts, long failed,
                          List<EventFile.Invalid> invalidRecords, List<String> failures, Outcomes outcomes,
                          double seconds, long eventsPerSecond) {
    }

    private final DomainApi domain;
    private final Options options;
    private final CircuitBreaker breaker;
    private final Retry retry;

    public EventAgent(DomainApi domain, Options options) {
        this.domain = domain;
        this.options = options;
        this.breaker = CircuitBreaker.of("domain", CircuitBreakerConfig.custom()
                .slidingWindowSize(10)
                .minimumNumberOfCalls(3)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofMillis(500))
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordException(EventAgent::transientFailure)
                .build());
        this.retry = Retry.of("domain", RetryConfig.<Object>custom()
                .maxAttempts(4)
                .retryOnException(EventAgent::transientFailure)
                .intervalBiFunction(backoff())
                .build());
    }

    private static IntervalBiFunction<Object> backoff() {
        return (attempt, outcome) -> (long) ((50L << Math.min(attempt - 1, 6)) * (0.5 + ThreadLocalRandom.current().nextDouble()));
    }

    static boolean transientFailure(Throwable e) {
        return e instanceof ApiException api && (api.kind() == ErrorKind.UNAVAILABLE || api.kind() == ErrorKind.BAD_GATEWAY
                || api.kind() == ErrorKind.GATEWAY_TIMEOUT || api.kind() == ErrorKind.INTERNAL);
    }

    public Summary run(EventFile file, Progress progress) throws InterruptedException {
        long start = System.nanoTime();
        List<List<NewEvent>> chunks = chunks(file.records());
        AtomicLong done = new AtomicLong();
        AtomicLong registered = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        AtomicLong conflicts = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Long> ids = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        long total = file.records().size();
        String requestId = RequestId.current();
        // Virtual threads: a worker spends its life waiting for the domain service, and a service
        // running several agents at once must not hold a platform thread (and its stack) per worker.
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.concurrency(), Math.max(1, chunks.size())),
                     Thread.ofVirtual().name("event-agent-", 0).factory());
             var ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("event-agent-progress").factory())) {
            ticker.scheduleAtFixedRate(() -> progress.update(done.get(), total), 1, 1, TimeUnit.SECONDS);
            List<Future<?>> work = new ArrayList<>();
            for (List<NewEvent> chunk : chunks) {
                work.add(pool.submit(() -> {
                    try {
                        BatchResult result = RequestId.with(requestId, () -> sendUnchecked(chunk));
                        for (BatchResult.Item item : result.results()) {
                            switch (item.status()) {
                                case "created" -> registered.incrementAndGet();
                                case "duplicate" -> duplicates.incrementAndGet();
                                case "conflict" -> conflicts.incrementAndGet();
                                default -> failed.incrementAndGet();
                            }
                            if (item.id() != null && !item.status().equals("conflict")) {
                                ids.add(item.id());
                            }
                        }
                    } catch (ApiException e) {
                        failed.addAndGet(chunk.size());
                        if (failures.size() < 20) {
                            failures.add(chunk.size() + " events not registered: " + e.oneLine());
                        }
                    }
                    done.addAndGet(chunk.size());
                    return null;
                }));
            }
            for (Future<?> future : work) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("agent worker failed", e.getCause());
                }
            }
            ticker.shutdownNow();
        }
        progress.update(done.get(), total);
        double seconds = (System.nanoTime() - start) / 1e9;
        Outcomes outcomes = options.waitForProcessing() ? waitForOutcomes(ids) : null;
        List<EventFile.Invalid> invalid = file.invalid();
        return new Summary(file.records().size() + invalid.size(), registered.get(), duplicates.get(), invalid.size(),
                conflicts.get(), failed.get(), invalid.subList(0, Math.min(100, invalid.size())), List.copyOf(failures),
                outcomes, Math.round(seconds * 1000) / 1000.0, Math.round((registered.get() + duplicates.get()) / Math.max(seconds, 1e-9)));
    }

    private List<List<NewEvent>> chunks(List<EventFile.Record> records) {
        List<List<NewEvent>> chunks = new ArrayList<>();
        for (int i = 0; i < records.size(); i += options.chunkSize()) {
            chunks.add(records.subList(i, Math.min(records.size(), i + options.chunkSize())).stream()
                    .map(EventFile.Record::event).toList());
        }
        return chunks;
    }

    private BatchResult sendUnchecked(List<NewEvent> chunk) {
        try {
            return send(chunk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "interrupted");
        }
    }

    /** Sends one chunk, pausing while the breaker is open, until it succeeds or the downtime budget is spent. */
    private BatchResult send(List<NewEvent> chunk) throws InterruptedException {
        long deadline = System.nanoTime() + options.maxDowntime().toNanos();
        while (true) {
            try {
                return breaker.executeSupplier(() -> retry.executeSupplier(() -> domain.registerEvents(chunk)));
            } catch (CallNotPermittedException e) {
                if (System.nanoTime() > deadline) {
                    throw new ApiException(ErrorKind.UNAVAILABLE, null, "domain service down for longer than "
                            + options.maxDowntime().toSeconds() + " s");
                }
                Thread.sleep(100);
            } catch (ApiException e) {
                if (!transientFailure(e) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    private Outcomes waitForOutcomes(List<Long> ids) throws InterruptedException {
        long deadline = System.nanoTime() + options.waitTimeout().toNanos();
        Outcomes outcomes;
        do {
            outcomes = outcomes(ids);
            if (outcomes.pending() == 0) {
                return outcomes;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return outcomes;
    }

    private Outcomes outcomes(List<Long> ids) {
        long pending = 0;
        long processed = 0;
        long skipped = 0;
        long failed = 0;
        long earnings = 0;
        BigDecimal points = BigDecimal.ZERO;
        List<Long> copy = List.copyOf(ids);
        for (int i = 0; i < copy.size(); i += DomainApi.MAX_LIMIT) {
            Outcomes part = domain.outcomes(copy.subList(i, Math.min(copy.size(), i + DomainApi.MAX_LIMIT)));
            pending += part.pending();
            processed += part.processed();
            skipped += part.skipped();
            failed += part.failed();
            earnings += part.earnings();
            points = points.add(part.points());
        }
        return new Outcomes(pending, processed, skipped, failed, earnings, points);
    }
}
