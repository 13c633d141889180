package dev.campaignctl.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.campaignctl.core.agent.EventAgent;
import dev.campaignctl.core.agent.EventFile;
import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.api.DomainApi;
import dev.campaignctl.core.api.ErrorKind;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Event-batch runs of the agents service: each runs on its own thread, independent of the request
 * that started it (a client that disconnects does not stop it), and is looked up by id.
 */
public final class AgentRuns {

    /** A run as reported by {@code GET /agents/runs/{id}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Status(String runId, String status, long done, long total, int invalid, Instant startedAt,
                         EventAgent.Summary summary, String error) {
    }

    private static final int KEPT = 1000;

    private final DomainApi domain;
    private final Map<String, Run> runs = new ConcurrentHashMap<>();

    public AgentRuns(DomainApi domain) {
        this.domain = domain;
    }

    public Status start(EventFile file, EventAgent.Options options) {
        if (runs.size() >= KEPT) {
            runs.values().removeIf(run -> run.summary.get() != null || run.error.get() != null);
        }
        Run run = new Run(UUID.randomUUID().toString(), file, Instant.now());
        runs.put(run.id, run);
        String requestId = dev.campaignctl.core.api.RequestId.current();
        Thread.ofVirtual().name("agent-run-" + run.id).start(() -> dev.campaignctl.core.api.RequestId.run(requestId, () -> {
            try {
                run.summary.set(new EventAgent(domain, options).run(file, (done, total) -> run.done.set(done)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                run.error.set("interrupted");
            } catch (RuntimeException e) {
                run.error.set(e instanceof ApiException api ? api.oneLine() : e.toString());
            }
        }));
        return run.status();
    }

    public Status get(String id) {
        Run run = runs.get(id);
        if (run == null) {
            throw new ApiException(ErrorKind.NOT_FOUND, null, "run " + id + " not found");
        }
        return run.status();
    }

    private static final class Run {
        final String id;
        final EventFile file;
        final Instant started;
        final AtomicLong done = new AtomicLong();
        final AtomicReference<EventAgent.Summary> summary = new AtomicReference<>();
        final AtomicReference<String> error = new AtomicReference<>();

        Run(String id, EventFile file, Instant started) {
            this.id = id;
            this.file = file;
            this.started = started;
        }

        Status status() {
            EventAgent.Summary finished = summary.get();
            String failure = error.get();
            String state = failure != null ? "failed" : finished != null ? "completed" : "running";
            long total = file.records().size();
            return new Status(id, state, finished != null ? total : done.get(), total, file.invalid().size(), started,
                    finished, failure);
        }
    }
}
