package dev.campaignctl.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Health is computed at most once a second, so a flood of public health probes costs the database nothing more. */
class HealthCacheTest {

    @Test
    void aThousandHealthCallsRunOneQueryAndANewCountShowsWithinASecond() {
        Database db = TestDatabases.fresh();
        try (LocalDomainApi api = new LocalDomainApi(db, null, true)) {
            Sql.execute(db, "SELECT pg_stat_reset()");
            long before = Sql.count(db, "SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes"
                    + " WHERE indexrelname = 'events_pending_idx'");
            for (int i = 0; i < 1_000; i++) {
                assertThat(api.health().pendingEvents()).isZero();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> Sql.count(db, "SELECT coalesce(sum(idx_scan), 0)"
                    + " FROM pg_stat_user_indexes WHERE indexrelname = 'events_pending_idx'") > before);
            long scans = Sql.count(db, "SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes"
                    + " WHERE indexrelname = 'events_pending_idx'") - before;
            assertThat(scans).as("pending counts for 1,000 health calls").isLessThanOrEqualTo(3);

            Sql.insertPendingEvents(db, 5, 1);
            await().atMost(Duration.ofSeconds(3)).until(() -> api.health().pendingEvents() == 5);
        }
    }
}
