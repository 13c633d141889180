package dev.campaignctl.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.db.DbConfig;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A processor killed with SIGKILL in the middle of its work loses nothing: its open transaction
 * rolls back, and a second processor finishes with exactly one outcome per event.
 */
class ProcessorCrashTest {

    private static final int EVENTS = 40_000;

    /** The victim: runs in its own JVM until it is killed. */
    public static void main(String[] args) {
        try (Database db = Database.open(DbConfig.external(args[0], "postgres", null))) {
            new EventProcessor(db, new EventProcessor.Settings(50, Duration.ofSeconds(5), 1)).runUntilEmpty();
        }
    }

    @Test
    void processorKilledMidBatchLosesNothingAndPaysNothingTwice() throws Exception {
        DbConfig config = TestDatabases.config();
        try (Database db = Database.open(config)) {
            Sql.execute(db, "INSERT INTO campaigns (name) VALUES ('c')");
            Sql.execute(db, "INSERT INTO campaign_rules (campaign_id, conditions, reward_type, reward_value)"
                    + " VALUES (1, '{\"transaction_data.channel\": \"web\"}', 'fixed', 1)");
            Sql.insertPendingEvents(db, EVENTS, 3);

            Process victim = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ProcessorCrashTest.class.getName(), config.url())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (Sql.count(db, "SELECT count(*) FROM events WHERE status <> 'pending'") < 500
                    && System.nanoTime() < deadline && victim.isAlive()) {
                Thread.sleep(10);
            }
            // Its claimed batch is locked and uncommitted when it dies.
            victim.destroyForcibly().waitFor();
            long decidedAtKill = Sql.count(db, "SELECT count(*) FROM events WHERE status <> 'pending'");
            assertThat(decidedAtKill).isBetween(1L, EVENTS - 1L);

            new EventProcessor(db, new EventProcessor.Settings(1000, Duration.ofSeconds(5), 1)).runUntilEmpty();

            assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE status = 'pending'")).isZero();
            assertThat(Sql.count(db, "SELECT count(*) FROM events")).isEqualTo(EVENTS);
            long web = Sql.count(db, "SELECT count(*) FROM events WHERE transaction_data->>'channel' = 'web'");
            assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE status = 'processed'")).isEqualTo(web);
            assertThat(Sql.count(db, "SELECT count(*) FROM earnings")).isEqualTo(web);
            assertThat(Sql.count(db, "SELECT count(DISTINCT event_id) FROM earnings")).isEqualTo(web);
        }
    }

}
