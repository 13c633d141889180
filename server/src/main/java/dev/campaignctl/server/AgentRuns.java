package dev.campaignctl.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.campaignctl.core.agent.EventAgent;
import dev.campaignctl.core.agent.EventFile;
import dev.campaignctl.core.api.DomainApi;
import dev.campaignctl.core.api.RequestId;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Event-batch runs of the agents service: each runs on a virtual thread of its own, independent of
 * the request that started it (a client that disconnects does not stop it), and is looked up by id.
 * At most {@code maxRunning} run at once — a slot is taken before the file is even read, so refused
 * requests cost nothing — and a finished run keeps only its summary, for {@code retention}, and
 * among at most {@code maxKept} finished runs.
 *
 * <pre>{@code
 * AgentRuns.Slot slot = runs.reserve();          // 429 when every slot is taken
 * try { status = runs.start(slot, file, options); } finally { slot.close(); }
 * }</pre>
 */
public final class AgentRuns {

    /**
     * How many runs may go on at once, how long a finished run is kept, and how many finished
     * runs are kept at most (the oldest go first).
     */
    public record Settings(int maxRunning, Duration retention, int maxKept) {
        public static final Settings DEFAULTS = new Settings(4, Duration.ofHours(1), 1000);

        public Settings {
            if (maxRunning < 1) {
                throw new IllegalArgumentException("agent-max-runs must be at least 1, got " + maxRunning);
            }
            if (retention == null || retention.isNegative() || retention.isZero()) {
                throw new IllegalArgumentException("agent-run-retention must be positive, got " + retention);
            }
            if (maxKept < 1) {
                throw new IllegalArgumentException("maxKept must be at least 1, got " + maxKept);
            }
        }
    }

    /** A run as reported by {@code GET /agents/runs/{id}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Status(String runId, RunState status, long done, long total, int invalid, Instant startedAt,
                         EventAgent.Summary summary, String error) {
    }

    /** Where a run is: running until its summary (completed) or its error (failed) is in. */
    public enum RunState {
        RUNNING, COMPLETED, FAILED;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A reserved place for one run; closing it without starting a run gives the place back. */
    public final class Slot implements AutoCloseable {
        private boolean held = true;

        private Slot() {
        }

        @Override
        public void close() {
            if (held) {
                held = false;
                slots.release();
            }
        }
    }

    /** How long a refused client is asked to wait: runs of a few thousand events take seconds. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);
    private static final Pattern RUN_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final DomainApi domain;
    private final Settings settings;
    private final Clock clock;
    private final Semaphore slots;
    private final Map<String, Run> runs = new ConcurrentHashMap<>();

    public AgentRuns(DomainApi domain, Settings settings) {
        this(domain, settings, Clock.systemUTC());
    }

    AgentRuns(DomainApi domain, Settings settings, Clock clock) {
        this.domain = domain;
        this.settings = settings;
        this.clock = clock;
        this.slots = new Semaphore(settings.maxRunning());
    }

    /** A place for a run, or a 429 when {@code maxRunning} runs go on already. */
    public Slot reserve() {
        if (!slots.tryAcquire()) {
            throw new ApiException(ErrorKind.TOO_MANY_REQUESTS, null, settings.maxRunning()
                    + " event-batch runs are in progress, the most this service runs at once; retry after one has ended");
        }
        return new Slot();
    }

    /** Starts a run in {@code slot}, which the run then holds until it ends. */
    public Status start(Slot slot, EventFile file, EventAgent.Options options) {
        if (!slot.held) {
            throw new IllegalStateException("the slot was given back already");
        }
        purge();
        Run run = new Run(UUID.randomUUID().toString(), file.records().size(), file.invalid().size(), clock.instant());
        runs.put(run.id, run);
        slot.held = false; // from here on the run gives the place back
        String requestId = RequestId.current();
        Thread.ofVirtual().name("agent-run-" + run.id).start(() -> RequestId.run(requestId, () -> {
            try {
                run.finish(new EventAgent(domain, options).run(file, (done, total) -> run.done.set(done)), null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                run.finish(null, "interrupted");
            } catch (RuntimeException e) {
                run.finish(null, e instanceof ApiException api ? api.oneLine() : e.toString());
            } finally {
                slots.release();
            }
        }));
        return run.status();
    }

    public Status get(String id) {
        purge();
        Run run = RUN_ID.matcher(id).matches() ? runs.get(id) : null;
        if (run == null) {
            throw new ApiException(ErrorKind.NOT_FOUND, null, "no such run (finished runs are kept for "
                    + settings.retention().toMinutes() + " min)");
        }
        return run.status();
    }

    /** Runs known: those going on and the finished ones kept. */
    int size() {
        return runs.size();
    }

    /** Drops finished runs past their retention, then the oldest finished ones beyond {@code maxKept}. */
    private void purge() {
        Instant expired = clock.instant().minus(settings.retention());
        runs.values().removeIf(run -> run.finished != null && run.finished.isBefore(expired));
        long finished = runs.values().stream().filter(run -> run.finished != null).count();
        if (finished > settings.maxKept()) {
            runs.values().stream().filter(run -> run.finished != null)
                    .sorted(Comparator.comparing(run -> run.finished))
                    .limit(finished - settings.maxKept())
                    .forEach(run -> runs.remove(run.id));
        }
    }

    /** One run: its counts while it goes on, its summary or error once it has ended; never the file. */
    private final class Run {
        final String id;
        final long total;
        final int invalid;
        final Instant started;
        final AtomicLong done = new AtomicLong();
        volatile EventAgent.Summary summary;
        volatile String error;
        volatile Instant finished;

        Run(String id, long total, int invalid, Instant started) {
            this.id = id;
            this.total = total;
            this.invalid = invalid;
            this.started = started;
        }

        void finish(EventAgent.Summary summary, String error) {
            this.summary = summary;
            this.error = error;
            this.finished = clock.instant();
        }

        Status status() {
            EventAgent.Summary result = summary;
            String failure = error;
            RunState state = failure != null ? RunState.FAILED : result != null ? RunState.COMPLETED : RunState.RUNNING;
            return new Status(id, state, result != null ? total : done.get(), total, invalid, started, result, failure);
        }
    }
}
