package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.client.HttpDomainApi;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.db.DbConfig;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two domain-service processes, each with its processor, on one PostgreSQL: one outcome per event, no double pay. */
class HorizontalScaleTest {

    private static Process serve(Path home, DbConfig config) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "domain", "--host", "127.0.0.1", "--port", "0", "--batch-size", "100",
                "--data-dir", home.toString(), "--db-url", config.url(), "--db-user", "postgres")
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("serve.log").toFile())
                .start();
    }

    private static String url(Path home) throws Exception {
        Path state = home.resolve("server.properties");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(state) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Properties props = new Properties();
        try (var in = Files.newInputStream(state)) {
            props.load(in);
        }
        return props.getProperty("domain.url");
    }

    @Test
    void twoProcessesShareTheQueueWithExactlyOneOutcomePerEvent(@TempDir Path dir) throws Exception {
        DbConfig config = TestDatabases.config();
        Path first = Files.createDirectories(dir.resolve("a"));
        Path second = Files.createDirectories(dir.resolve("b"));
        try (Database db = Database.open(config)) {
            Sql.execute(db, "INSERT INTO campaigns (name) VALUES ('scale')");
            Sql.execute(db, "INSERT INTO campaign_rules (campaign_id, conditions, reward_type, reward_value)"
                    + " VALUES (1, '{\"merchant_id\": \"EVEN\"}', 'fixed', 2)");
            Process a = serve(first, config);
            String urlA = url(first);
            Process b = serve(second, config);
            String urlB = url(second);
            try {
                String password = new String(Files.readAllLines(first.resolve("credentials")).stream()
                        .filter(l -> l.startsWith("password=")).findFirst().orElseThrow().substring(9));
                List<CompletableFuture<Void>> senders = new ArrayList<>();
                for (String url : List.of(urlA, urlB)) {
                    HttpDomainApi api = new HttpDomainApi(URI.create(url), "admin", password);
                    senders.add(CompletableFuture.runAsync(() -> {
                        for (int batch = 0; batch < 10; batch++) {
                            List<NewEvent> events = new ArrayList<>();
                            for (int i = 0; i < 300; i++) {
                                events.add(new NewEvent(null, "C" + i, i % 2 == 0 ? "EVEN" : "ODD", BigDecimal.TEN, null, null, null));
                            }
                            api.registerEvents(events);
                        }
                    }));
                }
                CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (Sql.count(db, "SELECT count(*) FROM events WHERE status = 'pending'") > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(Sql.count(db, "SELECT count(*) FROM events")).isEqualTo(6_000);
                assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE status = 'pending'")).isZero();
                assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE status = 'processed'")).isEqualTo(3_000);
                assertThat(Sql.count(db, "SELECT count(*) FROM earnings")).isEqualTo(3_000);
                assertThat(Sql.count(db, "SELECT count(DISTINCT event_id) FROM earnings")).isEqualTo(3_000);
            } finally {
                a.destroy();
                b.destroy();
                a.waitFor();
                b.waitFor();
            }
        }
    }
}
