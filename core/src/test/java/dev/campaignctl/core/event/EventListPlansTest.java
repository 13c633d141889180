package dev.campaignctl.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.testing.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A page of pending or failed events is found by index, also in the generic plan the driver uses
 * once it prepares the statement on the server: with sequential scans priced out, a plan that still
 * has one (or walks the primary key past every event) had no index for the status.
 */
class EventListPlansTest {

    private Database db;

    @BeforeEach
    void setUp() {
        db = TestDatabases.fresh();
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @ParameterizedTest
    @EnumSource(value = EventStatus.class, names = {"PENDING", "FAILED"})
    void aPageOfARareStatusReadsItsPartialIndex(EventStatus status) throws Exception {
        String sql = EventStore.listByStatus(status);
        sql = sql.replaceFirst("\\?", "\\$1").replaceFirst("\\?", "\\$2");
        StringBuilder plan = new StringBuilder();
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.execute("SET enable_seqscan = off");
            s.execute("SET plan_cache_mode = force_generic_plan");
            s.execute("PREPARE page(bigint, int) AS " + sql);
            try (ResultSet rs = s.executeQuery("EXPLAIN EXECUTE page(9223372036854775807, 100)")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        }
        assertThat(plan.toString()).doesNotContain("Seq Scan").doesNotContain("events_pkey")
                .contains(status == EventStatus.PENDING ? "events_pending_idx" : "events_failed_idx");
    }
}
