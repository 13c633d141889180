package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve domain} on its embedded PostgreSQL, killed with SIGKILL under load: started again at
 * once it comes up, every acknowledged event is there exactly once and nothing is paid twice; and
 * while one serve owns a data directory, a second one refuses to start and leaves it alone.
 */
class CrashRestartTest {

    private static final int CLIENTS = 32;

    @Test
    void afterSigkillUnderLoadServeComesBackAtOnceWithEveryAcknowledgedEventExactlyOnce(@TempDir Path home) throws Exception {
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        long orphan;
        long loadMillis;
        try (ServeProcess first = ServeProcess.start(home, Map.of(), "--poll-interval", "1").awaitReady(Duration.ofSeconds(40))) {
            long campaign = first.create("/campaigns", "{\"name\": \"crash\"}");
            first.create("/campaigns/" + campaign + "/rules",
                    "{\"priority\": 1, \"conditions\": {\"amount\": {\"$gte\": 0}}, \"reward\": {\"type\": \"fixed\", \"value\": 1}}");
            AtomicBoolean stop = new AtomicBoolean();
            long load = System.nanoTime();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    clients.submit(() -> register(first, client, stop, acknowledged));
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> acknowledged.size() >= 1_000);
                orphan = ServeProcess.postmasterPid(home);
                first.process().destroyForcibly();
                loadMillis = Duration.ofNanos(System.nanoTime() - load).toMillis();
                assertThat(first.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
                stop.set(true);
            }
        }
        // zonky starts the postmaster through pg_ctl, which detaches it: it outlives the JVM that started it.
        boolean orphaned = ServeProcess.runsOnCluster(orphan, home);
        System.out.printf("SIGKILL after %d events acknowledged in %d ms by %d clients; postmaster %d left running: %s%n",
                acknowledged.size(), loadMillis, CLIENTS, orphan, orphaned);
        assertThat(orphaned).as("the killed serve's postmaster survives it").isTrue();

        long restart = System.nanoTime();
        try (ServeProcess second = ServeProcess.start(home, Map.of(), "--poll-interval", "1")) {
            second.awaitReady(Duration.ofSeconds(40));
            System.out.printf("restarted and ready in %d ms%n", Duration.ofNanos(System.nanoTime() - restart).toMillis());
            assertThat(second.log()).contains("left by a campaignctl that stopped without shutting it down")
                    .doesNotContain("killing the orphaned PostgreSQL");
            assertThat(ServeProcess.runsOnCluster(orphan, home)).as("the orphaned postmaster was stopped").isFalse();

            assertThat(storedOnce(second, acknowledged)).isEqualTo(acknowledged.size());
            await().atMost(Duration.ofSeconds(30)).until(() -> second.count("SELECT count(*) FROM events WHERE status = 'pending'") == 0);
            long events = second.count("SELECT count(*) FROM events");
            assertThat(events).isGreaterThanOrEqualTo(acknowledged.size());
            assertThat(second.count("SELECT count(*) FROM events WHERE status = 'processed'")).isEqualTo(events);
            assertThat(second.count("SELECT count(*) FROM earnings")).isEqualTo(events);
            assertThat(second.count("SELECT count(*) FROM (SELECT event_id, rule_id FROM earnings"
                    + " GROUP BY event_id, rule_id HAVING count(*) > 1) AS paid_twice")).isZero();
        }
    }

    @Test
    void aSecondServeOnTheSameDataDirectoryFailsWithExitCodeFiveAndLeavesTheFirstRunning(@TempDir Path home) throws Exception {
        try (ServeProcess first = ServeProcess.start(home, Map.of()).awaitReady(Duration.ofSeconds(40))) {
            long postmaster = ServeProcess.postmasterPid(home);
            try (ServeProcess second = ServeProcess.start(home, Map.of())) {
                assertThat(second.process().waitFor(30, TimeUnit.SECONDS)).as(second.log()).isTrue();
                assertThat(second.process().exitValue()).as(second.log()).isEqualTo(ExitCodes.UNAVAILABLE);
                assertThat(second.log()).contains("cannot start the embedded PostgreSQL in " + home)
                        .contains("process " + first.process().pid() + " holds")
                        .contains("(is another campaignctl using it?)");
            }
            assertThat(ServeProcess.postmasterPid(home)).isEqualTo(postmaster);
            assertThat(ServeProcess.runsOnCluster(postmaster, home)).isTrue();
            assertThat(first.state().getProperty("pid")).isEqualTo(Long.toString(first.process().pid()));
            assertThat(first.ready()).isEqualTo(200);
        }
    }

    /** Registers events with unique external ids until stopped or the server goes away; records each 201. */
    private static void register(ServeProcess serve, int client, AtomicBoolean stop, Set<String> acknowledged) {
        for (int n = 0; !stop.get(); n++) {
            String externalId = "crash-" + client + "-" + n;
            try {
                HttpResponse<String> response = serve.post("/events", "{\"amount\": 10, \"customer_id\": \"C" + client
                        + "\", \"external_id\": \"" + externalId + "\"}");
                if (response.statusCode() == 201) {
                    acknowledged.add(externalId);
                }
            } catch (Exception e) {
                return;
            }
        }
    }

    /** How many of the acknowledged external ids are stored, each counted once however often it is there. */
    private static long storedOnce(ServeProcess serve, Set<String> acknowledged) throws Exception {
        try (Connection c = serve.database();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM (SELECT external_id FROM events"
                     + " WHERE external_id = ANY (?) GROUP BY external_id HAVING count(*) = 1) AS once")) {
            Array ids = c.createArrayOf("text", List.copyOf(acknowledged).toArray());
            s.setArray(1, ids);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
