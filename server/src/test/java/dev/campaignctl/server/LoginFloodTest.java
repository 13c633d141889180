package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.testing.TestDatabases;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 200 wrong-password requests from 32 threads against a real server cost about what 200 health
 * probes do (no slow hash per guess), are all answered 401 or 429, and a good client is answered
 * quickly in the middle of the flood.
 */
class LoginFloodTest {

    private static final String PASSWORD = "test-" + System.nanoTime();
    private static Database db;
    private static DomainServer server;
    private static TestClient http;

    @BeforeAll
    static void start() {
        db = TestDatabases.fresh();
        server = TestDomainServers.start(db, PASSWORD);
        http = new TestClient(server.port(), "admin", PASSWORD);
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    /** Wall time of 200 requests from 32 threads, in nanoseconds; statuses seen go to {@code statuses}. */
    private static long storm(Supplier<TestClient.Reply> request, Set<Integer> statuses) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
            long begin = System.nanoTime();
            List<Future<TestClient.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                replies.add(pool.submit(request::get));
            }
            for (Future<TestClient.Reply> reply : replies) {
                statuses.add(reply.get().status());
            }
            return System.nanoTime() - begin;
        }
    }

    @Test
    void aWrongPasswordFloodCostsAboutWhatHealthProbesDoAndGoodClientsGetThrough() throws Exception {
        TestClient wrong = http.as("admin", "not-the-password");
        Set<Integer> liveStatuses = ConcurrentHashMap.newKeySet();
        Set<Integer> floodStatuses = ConcurrentHashMap.newKeySet();
        // Warm both paths, then take the best of three of each: the machine's other work only adds time.
        storm(() -> wrong.get("/health/live"), liveStatuses);
        storm(() -> wrong.get("/campaigns"), floodStatuses);
        long live = Long.MAX_VALUE;
        long flood = Long.MAX_VALUE;
        long[] goodNanos = new long[1];
        for (int round = 0; round < 3; round++) {
            live = Math.min(live, storm(() -> wrong.get("/health/live"), liveStatuses));
            Thread good = Thread.ofPlatform().start(() -> {
                long begin = System.nanoTime();
                assertThat(http.get("/campaigns").status()).isEqualTo(200);
                goodNanos[0] = Math.max(goodNanos[0], System.nanoTime() - begin);
            });
            flood = Math.min(flood, storm(() -> wrong.get("/campaigns"), floodStatuses));
            good.join();
        }

        System.out.printf("200 requests from 32 threads: /health/live %.1f ms, wrong password %.1f ms;"
                + " the slowest good request during a flood %.1f ms%n", live / 1e6, flood / 1e6, goodNanos[0] / 1e6);
        assertThat(liveStatuses).containsOnly(200);
        assertThat(floodStatuses).isSubsetOf(401, 429).contains(429);
        assertThat(flood).as("the flood's wall time against three times the probes'").isLessThanOrEqualTo(3 * live);
        TestClient.Reply throttled = wrong.get("/campaigns");
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.header("Retry-After")).matches("[1-9][0-9]*");
        assertThat(throttled.body().get("error").asText()).isEqualTo("too_many_requests");
        assertThat(http.get("/campaigns").status()).as("the valid pair from the same address").isEqualTo(200);
    }
}
