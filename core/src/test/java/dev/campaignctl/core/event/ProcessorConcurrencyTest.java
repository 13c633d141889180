package dev.campaignctl.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Several processors on one database: every event gets exactly one outcome, no earning twice. */
class ProcessorConcurrencyTest {

    private static final int EVENTS = 6_000;
    private static Database db;

    @BeforeAll
    static void setUp() {
        db = TestDatabases.fresh();
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @Test
    void fourProcessorsShareTheQueueWithExactlyOneOutcomePerEvent() throws Exception {
        Sql.execute(db, "INSERT INTO campaigns (name) VALUES ('a'), ('b')");
        Sql.execute(db, "INSERT INTO campaign_rules (campaign_id, priority, conditions, reward_type, reward_value) VALUES"
                + " (1, 10, '{\"merchant_id\": \"M0\"}', 'fixed', 10),"
                + " (1, 5, '{\"transaction_data.channel\": \"web\"}', 'percentage', 1),"
                + " (2, 1, '{\"transaction_data.items.category\": \"cat3\"}', 'per_unit', 2)");
        Sql.insertPendingEvents(db, EVENTS, 5);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<EventProcessor.Outcome>> runs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            EventProcessor processor = new EventProcessor(db, new EventProcessor.Settings(97, Duration.ofSeconds(5), 1));
            runs.add(pool.submit(() -> processor.runUntilEmpty()));
        }
        int claimed = 0;
        for (Future<EventProcessor.Outcome> run : runs) {
            claimed += run.get().claimed();
        }
        pool.shutdown();

        assertThat(claimed).isEqualTo(EVENTS);
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE status = 'pending'")).isZero();
        assertThat(Sql.count(db, "SELECT count(*) FROM (SELECT event_id, campaign_id FROM earnings"
                + " GROUP BY 1, 2 HAVING count(*) > 1) d")).isZero();
        // Campaign a pays every M0 or web event, campaign b every cat3 event: recompute independently.
        long expectedA = Sql.count(db, "SELECT count(*) FROM events WHERE merchant_id = 'M0'"
                + " OR transaction_data->>'channel' = 'web'");
        long expectedB = Sql.count(db, "SELECT count(*) FROM events WHERE transaction_data::jsonb @> '{\"items\": [{\"category\": \"cat3\"}]}'");
        assertThat(Sql.count(db, "SELECT count(*) FROM earnings WHERE campaign_id = 1")).isEqualTo(expectedA);
        assertThat(Sql.count(db, "SELECT count(*) FROM earnings WHERE campaign_id = 2")).isEqualTo(expectedB);
        assertThat(Sql.count(db, "SELECT count(*) FROM events e WHERE (status = 'processed')"
                + " <> EXISTS (SELECT 1 FROM earnings x WHERE x.event_id = e.id)")).isZero();
    }
}
