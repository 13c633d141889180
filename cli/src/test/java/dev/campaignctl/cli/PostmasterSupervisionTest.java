package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL to the embedded postmaster of a running {@code serve domain} in the middle of processing:
 * readiness says 503 at once, serve restarts PostgreSQL on the same port by itself (no restart of
 * serve), readiness returns to 200, and the queue drains with exactly one earning per event.
 */
class PostmasterSupervisionTest {

    private static final int EVENTS = 20_000;

    @Test
    void aKilledPostmasterIsRestartedAndProcessingEndsWithExactCounts(@TempDir Path home) throws Exception {
        try (ServeProcess serve = ServeProcess.start(home, Map.of(), "--batch-size", "20", "--poll-interval", "1")
                .awaitReady(Duration.ofSeconds(40))) {
            long campaign = serve.create("/campaigns", "{\"name\": \"supervised\"}");
            serve.create("/campaigns/" + campaign + "/rules",
                    "{\"priority\": 1, \"conditions\": {\"amount\": {\"$gte\": 0}}, \"reward\": {\"type\": \"fixed\", \"value\": 1}}");
            String dbUrl = serve.state().getProperty("db.url");
            try (Connection c = serve.database(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO events (customer_id, merchant_id, amount) SELECT 'C' || (g % 100), 'M', 10"
                        + " FROM generate_series(1, " + EVENTS + ") AS g");
            }
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> serve.count("SELECT count(*) FROM events WHERE status <> 'pending'") >= 500);

            long decidedBeforeKill = serve.count("SELECT count(*) FROM events WHERE status <> 'pending'");
            long postmaster = ServeProcess.postmasterPid(home);
            long killed = System.nanoTime();
            ProcessHandle.of(postmaster).orElseThrow().destroyForcibly();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> serve.ready() == 503);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> serve.ready() == 200);
            long recovered = Duration.ofNanos(System.nanoTime() - killed).toMillis();

            assertThat(serve.process().isAlive()).isTrue();
            assertThat(ServeProcess.postmasterPid(home)).isNotEqualTo(postmaster);
            assertThat(serve.state().getProperty("db.url")).as("same port").isEqualTo(dbUrl);
            assertThat(serve.log()).contains("stopped unexpectedly; restarting it");
            // The processor commits its batches asynchronously: the last ones before the kill may come
            // back pending (outcomes and earnings together) and are decided again.
            long decidedAfterRestart = serve.count("SELECT count(*) FROM events WHERE status <> 'pending'");
            System.out.printf("postmaster SIGKILLed with %d of %d events decided (%d right after the restart);"
                    + " ready again after %d ms%n", decidedBeforeKill, EVENTS, decidedAfterRestart, recovered);

            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(100))
                    .until(() -> serve.count("SELECT count(*) FROM events WHERE status = 'pending'") == 0);
            assertThat(serve.count("SELECT count(*) FROM events WHERE status = 'processed'")).isEqualTo(EVENTS);
            assertThat(serve.count("SELECT count(*) FROM earnings")).isEqualTo(EVENTS);
            assertThat(serve.count("SELECT count(DISTINCT event_id) FROM earnings")).isEqualTo(EVENTS);
        }
    }
}
