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

/** Budgets and per-customer caps hold exactly with four processors racing over one queue. */
class LimitsConcurrencyTest {

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
    void budgetsAndCapsAreNeverExceededByRacingProcessors() throws Exception {
        // Campaign 1: budget 5000 points, 7 per event. Campaign 2: 3 per event, at most 20 per customer.
        Sql.execute(db, "INSERT INTO campaigns (name, budget_total) VALUES ('budget', 5000)");
        Sql.execute(db, "INSERT INTO campaigns (name, customer_cap, evaluation) VALUES ('capped', 20, 'all')");
        Sql.execute(db, "INSERT INTO campaign_rules (campaign_id, conditions, reward_type, reward_value) VALUES"
                + " (1, '{}', 'fixed', 7), (2, '{}', 'fixed', 3), (2, '{\"transaction_data.channel\": \"web\"}', 'fixed', 1)");
        Sql.insertPendingEvents(db, 4_000, 4);
        Sql.execute(db, "UPDATE events SET customer_id = 'C' || (id % 100)");

        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<EventProcessor.Outcome>> runs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            EventProcessor processor = new EventProcessor(db, new EventProcessor.Settings(53, Duration.ofSeconds(5), 1));
            runs.add(pool.submit(() -> processor.runUntilEmpty()));
        }
        for (Future<EventProcessor.Outcome> run : runs) {
            run.get();
        }
        pool.shutdown();

        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE status = 'pending'")).isZero();
        assertThat(Sql.count(db, "SELECT coalesce(sum(amount), 0)::bigint FROM earnings WHERE campaign_id = 1")).isEqualTo(5000);
        assertThat(Sql.count(db, "SELECT budget_spent::bigint FROM campaigns WHERE id = 1")).isEqualTo(5000);
        // 100 customers with 40 events each, worth 3 or 4 points apiece: every customer stops at exactly 20.
        assertThat(Sql.count(db, "SELECT count(*) FROM (SELECT customer_id FROM earnings WHERE campaign_id = 2"
                + " GROUP BY customer_id HAVING sum(amount) = 20) at_cap")).isEqualTo(100);
        assertThat(Sql.count(db, "SELECT coalesce(sum(amount), 0)::bigint FROM earnings WHERE campaign_id = 2")).isEqualTo(2000);
        assertThat(Sql.count(db, "SELECT count(*) FROM campaign_customer_spend s WHERE s.campaign_id = 2 AND s.spent <>"
                + " (SELECT sum(amount) FROM earnings e WHERE e.campaign_id = 2 AND e.customer_id = s.customer_id)")).isZero();
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE note LIKE '%budget%'")).isPositive();
    }
}
