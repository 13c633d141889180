package dev.campaignctl.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.campaignctl.core.error.ApiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product's embedded cluster (opened as {@code serve} opens it): durable settings, one owning
 * process, a start that a stale postmaster.pid cannot stop, and a postmaster restarted when it dies.
 */
class EmbeddedClusterTest {

    @Test
    void theEmbeddedClusterRunsWithFsyncSynchronousCommitAndFullPageWritesOn(@TempDir Path home) throws Exception {
        try (Database db = Database.open(DbConfig.embedded(home))) {
            assertThat(show(db, "fsync")).isEqualTo("on");
            assertThat(show(db, "synchronous_commit")).isEqualTo("on");
            assertThat(show(db, "full_page_writes")).isEqualTo("on");
            assertThat(show(db, "data_directory")).isEqualTo(home.resolve("pgdata").toRealPath().toString());
        }
    }

    @Test
    void aSecondOpenOfTheSameDataDirectoryFailsNamingTheOwnerAndLeavesTheFirstRunning(@TempDir Path home) throws Exception {
        try (Database db = Database.open(DbConfig.embedded(home))) {
            assertThatThrownBy(() -> Database.open(DbConfig.embedded(home)))
                    .isInstanceOf(ApiException.class)
                    .hasMessage("cannot start the embedded PostgreSQL in " + home + ": process " + ProcessHandle.current().pid()
                            + " holds " + home.resolve("campaignctl.lock") + " (is another campaignctl using it?)");
            assertThat(show(db, "fsync")).isEqualTo("on");
        }
        assertThat(home.resolve("pgdata/postmaster.pid")).as("server stopped on close").doesNotExist();
        try (Database db = Database.open(DbConfig.embedded(home))) {
            assertThat(show(db, "fsync")).isEqualTo("on");
        }
    }

    @Test
    void aStalePostmasterPidNamingAnUnrelatedLiveProcessDoesNotStopTheStart(@TempDir Path home) throws Exception {
        try (Database db = Database.open(DbConfig.embedded(home))) {
            assertThat(show(db, "fsync")).isEqualTo("on");
        }
        // After a power loss the PID in the file may belong to anything; PostgreSQL alone would refuse to start.
        Files.writeString(home.resolve("pgdata/postmaster.pid"), ProcessHandle.current().pid() + "\n"
                + home.resolve("pgdata") + "\n1700000000\n5432\n\nlocalhost\n  1234567     98304\nready   \n");
        try (Database db = Database.open(DbConfig.embedded(home))) {
            assertThat(show(db, "fsync")).isEqualTo("on");
        }
    }

    @Test
    void aKilledPostmasterIsRestartedOnTheSamePortAndNotReadyUntilThen(@TempDir Path home) throws Exception {
        try (Database db = Database.open(DbConfig.embedded(home))) {
            long postmaster = postmasterPid(home);
            ProcessHandle.of(postmaster).orElseThrow().destroyForcibly();

            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1)).untilAsserted(() ->
                    assertThatThrownBy(db::requireRunning).isInstanceOf(ApiException.class)
                            .hasMessage("the embedded PostgreSQL is not running; it is being restarted"));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> running(db));
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> show(db, "fsync").equals("on"));

            assertThat(postmasterPid(home)).isNotEqualTo(postmaster);
            assertThat(show(db, "synchronous_commit")).isEqualTo("on");
            assertThat(show(db, "full_page_writes")).isEqualTo("on");
        }
        assertThat(home.resolve("pgdata/postmaster.pid")).as("the restarted server is stopped on close too").doesNotExist();
    }

    private static boolean running(Database db) {
        try {
            db.requireRunning();
            return true;
        } catch (ApiException e) {
            return false;
        }
    }

    private static long postmasterPid(Path home) throws Exception {
        return Long.parseLong(Files.readAllLines(home.resolve("pgdata/postmaster.pid")).getFirst().strip());
    }

    private static String show(Database db, String setting) throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
