package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.api.LocalDomainApi;
import dev.campaignctl.core.config.ConfigurationStore;
import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.testing.TestDatabases;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Random paths, ids and methods from unauthenticated clients add no metric series beyond a fixed few. */
class MetricsFloodTest {

    private static Database db;
    private static DomainServer server;
    private static TestClient anonymous;

    @BeforeAll
    static void start() {
        db = TestDatabases.fresh();
        var auth = new ConfigurationStore(db.dataSource()).authenticator(new Credentials("admin", "pw-" + System.nanoTime()));
        server = DomainServer.start("127.0.0.1", 0, new LocalDomainApi(db, null, false), auth);
        anonymous = new TestClient(server.port(), null, null);
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    private static final String[] SHAPES = {"/%s", "/events/%s", "/campaigns/%s/rules", "/campaigns/%s", "/x/%s/y/1",
            "/events/1%s", "/agents/runs/%s", "/metrics/%s"};
    private static final String[] METHODS = {"GET", "POST", "DELETE", "PUT", "FOO", "PROPFIND"};

    private static void flood(int requests) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> sent = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int first = t;
                sent.add(pool.submit(() -> {
                    for (int i = first; i < requests; i += 8) {
                        String random = UUID.randomUUID().toString().substring(0, 8 + i % 20);
                        String method = METHODS[i % METHODS.length];
                        String path = String.format(SHAPES[i % SHAPES.length], random);
                        try {
                            anonymous.send(method, path, null, null);
                        } catch (java.io.UncheckedIOException closedUnderneath) {
                            // The JDK client now and then reuses a pooled connection the server closed after
                            // an error answer; what is under test is the metrics, so that request goes again.
                            anonymous.send(method, path, null, null);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : sent) {
                run.get();
            }
        }
    }

    /**
     * Lines of the scrape but the JVM's: the GC meters gain a series the first time a collection
     * has a new cause, which depends on the heap, not on the requests.
     */
    private static int metricLines() {
        return (int) anonymous.get("/metrics").raw().body().lines().filter(line -> !JVM.matcher(line).lookingAt()).count();
    }

    private static final Pattern JVM = Pattern.compile("(# (HELP|TYPE) )?jvm_");

    @Test
    void tenThousandRandomUnauthenticatedRequestsLeaveMetricsBounded() throws Exception {
        int before = metricLines();
        flood(10_000);
        int afterFirst = metricLines();
        flood(10_000);
        int afterSecond = metricLines();

        System.gc();
        Runtime runtime = Runtime.getRuntime();
        System.out.printf("metrics lines: %d before, %d after 10,000 random requests, %d after 10,000 more;"
                + " heap used after GC %d MiB%n", before, afterFirst, afterSecond,
                (runtime.totalMemory() - runtime.freeMemory()) >> 20);
        assertThat(afterFirst - before).as("series added by the first flood").isLessThan(300);
        assertThat(afterSecond).as("series added by a second flood of other random paths").isEqualTo(afterFirst);
    }
}
