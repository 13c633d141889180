package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.campaignctl.core.agent.EventAgent;
import dev.campaignctl.core.agent.EventFile;
import dev.campaignctl.core.api.DomainApi;
import dev.campaignctl.core.api.Health;
import dev.campaignctl.core.config.Authenticator;
import dev.campaignctl.core.config.PasswordHash;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.event.BatchResult;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.testing.MutableClock;
import java.lang.ref.WeakReference;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The agents service's event-batch runs: a bounded number at once, on virtual threads, a summary
 * kept without the file, for a retention period. The domain is a stand-in that registers every
 * event at once, or holds every batch until released.
 */
class AgentRunsTest {

    private static final String PASSWORD = "runs-" + System.nanoTime();

    /** A domain that takes every batch, after {@code gate} opens, and notes the threads it was called on. */
    private static final class Domain {
        final CountDownLatch gate;
        final Set<Boolean> virtualCallers = ConcurrentHashMap.newKeySet();
        final AtomicLong ids = new AtomicLong();

        Domain(boolean open) {
            gate = new CountDownLatch(open ? 0 : 1);
        }

        DomainApi api() {
            return (DomainApi) Proxy.newProxyInstance(DomainApi.class.getClassLoader(), new Class<?>[] {DomainApi.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "registerEvents" -> register(castEvents(args[0]));
                        case "health" -> new Health("healthy", "demo-domain", "ok", 0L, "test", null);
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        @SuppressWarnings("unchecked")
        private static List<NewEvent> castEvents(Object events) {
            return (List<NewEvent>) events;
        }

        private BatchResult register(List<NewEvent> events) throws InterruptedException {
            virtualCallers.add(Thread.currentThread().isVirtual());
            if (!gate.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened the gate");
            }
            List<BatchResult.Item> items = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                items.add(new BatchResult.Item(i, null, ids.incrementAndGet(), events.get(i).externalId(), "created", null));
            }
            return BatchResult.of(items);
        }
    }

    private static byte[] file(int events) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < events; i++) {
            out.append("{\"external_id\": \"run-").append(i).append("\", \"amount\": 1}\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Authenticator auth() {
        return new Authenticator("admin", PasswordHash.hash(PASSWORD)).knownValid(PASSWORD);
    }

    @Test
    void aRunPastTheLimitIsRefusedWith429AndRetryAfterUntilOneEnds() {
        Domain domain = new Domain(false);
        try (AgentsServer server = AgentsServer.start("127.0.0.1", 0, ServerLimits.DEFAULTS,
                new AgentRuns.Settings(2, Duration.ofHours(1), 100), domain.api(), null, auth())) {
            TestClient http = new TestClient(server.port(), "admin", PASSWORD);
            String body = new String(file(10), StandardCharsets.UTF_8);
            List<String> running = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                TestClient.Reply started = http.send("POST", "/agents/event-batches", body, "application/x-ndjson");
                assertThat(started.status()).isEqualTo(202);
                running.add(started.body().get("run_id").asText());
            }

            TestClient.Reply refused = http.send("POST", "/agents/event-batches", body, "application/x-ndjson");

            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.header("Retry-After")).isEqualTo("5");
            assertThat(refused.body().get("error").asText()).isEqualTo("too_many_requests");
            assertThat(refused.body().get("message").asText()).contains("2 event-batch runs are in progress");

            domain.gate.countDown();
            for (String id : running) {
                await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/agents/runs/" + id).body().get("status").asText(),
                        "completed"::equals);
            }
            assertThat(http.send("POST", "/agents/event-batches", body, "application/x-ndjson").status()).isEqualTo(202);
            assertThat(domain.virtualCallers).as("the agent's workers are virtual threads").containsExactly(true);
        }
    }

    @Test
    void aFinishedRunKeepsItsSummaryAndCountsButNotItsFile() {
        AgentRuns runs = new AgentRuns(new Domain(true).api(), AgentRuns.Settings.DEFAULTS);
        EventFile file = EventFile.parse(file(25), "kept.ndjson");
        WeakReference<EventFile> held = new WeakReference<>(file);
        AgentRuns.Status started;
        try (AgentRuns.Slot slot = runs.reserve()) {
            started = runs.start(slot, file, EventAgent.Options.defaults());
        }
        file = null;

        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get(started.runId()).status() == AgentRuns.RunState.COMPLETED);
        AgentRuns.Status finished = runs.get(started.runId());
        assertThat(finished.total()).isEqualTo(25);
        assertThat(finished.done()).isEqualTo(25);
        assertThat(finished.summary().registered()).isEqualTo(25);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return held.get() == null;
        });
        assertThat(runs.get(started.runId()).summary().registered()).isEqualTo(25);
    }

    @Test
    void finishedRunsArePurgedAfterTheRetentionAndBeyondTheMostKept() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        AgentRuns runs = new AgentRuns(new Domain(true).api(), new AgentRuns.Settings(4, Duration.ofHours(1), 2), clock);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (AgentRuns.Slot slot = runs.reserve()) {
                String id = runs.start(slot, EventFile.parse(file(3), "run-" + i), EventAgent.Options.defaults()).runId();
                await().atMost(Duration.ofSeconds(10)).until(() -> runs.get(id).status() == AgentRuns.RunState.COMPLETED);
                ids.add(id);
            }
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(runs.get(ids.get(2)).status()).isEqualTo(AgentRuns.RunState.COMPLETED);
        assertThatThrownBy(() -> runs.get(ids.get(0))).as("the oldest of three finished runs, two kept")
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));

        clock.advance(Duration.ofMinutes(59));
        assertThat(runs.get(ids.get(2)).status()).isEqualTo(AgentRuns.RunState.COMPLETED);
        clock.advance(Duration.ofMinutes(2));
        assertThatThrownBy(() -> runs.get(ids.get(2))).as("an hour after it ended")
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
        assertThat(runs.size()).isZero();
    }

    @Test
    void aSlotGivenBackWithoutARunFreesItsPlace() {
        AgentRuns runs = new AgentRuns(new Domain(true).api(), new AgentRuns.Settings(1, Duration.ofHours(1), 10));
        try (AgentRuns.Slot slot = runs.reserve()) {
            assertThatThrownBy(runs::reserve).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.TOO_MANY_REQUESTS));
        }
        try (AgentRuns.Slot again = runs.reserve()) {
            assertThat(again).isNotNull();
        }
    }
}
