package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.db.DbConfig;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real {@code campaignctl serve domain} in the middle of processing: it stops within
 * a bounded time, and after a restart every event has exactly one outcome and earnings equal matches.
 */
class GracefulShutdownTest {

    @Test
    void sigtermMidProcessingStopsPromptlyAndLosesNothing(@TempDir Path home) throws Exception {
        DbConfig config = TestDatabases.config();
        try (Database db = Database.open(config)) {
            Sql.execute(db, "INSERT INTO campaigns (name) VALUES ('shutdown')");
            Sql.execute(db, "INSERT INTO campaign_rules (campaign_id, conditions, reward_type, reward_value)"
                    + " VALUES (1, '{\"transaction_data.channel\": \"web\"}', 'fixed', 1)");
            Sql.insertPendingEvents(db, 60_000, 3);

            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "serve", "domain", "--host", "127.0.0.1", "--port", "0", "--batch-size", "200",
                    "--data-dir", home.toString(), "--db-url", config.url(), "--db-user", "postgres")
                    .redirectErrorStream(true)
                    .redirectOutput(home.resolve("serve.log").toFile());
            Process server = builder.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (Sql.count(db, "SELECT count(*) FROM events WHERE status <> 'pending'") < 2_000
                    && server.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(server.isAlive()).as(Files.readString(home.resolve("serve.log"))).isTrue();

            long signalled = System.nanoTime();
            server.destroy();
            boolean exited = server.waitFor(30, TimeUnit.SECONDS);
            Duration shutdown = Duration.ofNanos(System.nanoTime() - signalled);

            assertThat(exited).as("exited within 30 s of SIGTERM").isTrue();
            assertThat(Files.exists(home.resolve("server.properties"))).as("state file removed on shutdown").isFalse();
            long decided = Sql.count(db, "SELECT count(*) FROM events WHERE status <> 'pending'");
            assertThat(decided).isBetween(2_000L, 60_000L);
            System.out.printf("shutdown under load took %d ms with %d of 60000 events decided%n", shutdown.toMillis(), decided);

            // Restart the real process: it resumes the queue by itself.
            Process again = builder.start();
            try {
                long resumed = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (Sql.count(db, "SELECT count(*) FROM events WHERE status = 'pending'") > 0 && System.nanoTime() < resumed) {
                    Thread.sleep(20);
                }
            } finally {
                again.destroy();
                again.waitFor(30, TimeUnit.SECONDS);
            }

            long web = Sql.count(db, "SELECT count(*) FROM events WHERE transaction_data->>'channel' = 'web'");
            assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE status = 'pending'")).isZero();
            assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE status = 'processed'")).isEqualTo(web);
            assertThat(Sql.count(db, "SELECT count(*) FROM earnings")).isEqualTo(web);
            assertThat(Sql.count(db, "SELECT count(DISTINCT event_id) FROM earnings")).isEqualTo(web);
        }
    }
}
