package dev.campaignctl.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.campaignctl.core.api.LocalDomainApi;
import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.campaign.CampaignPatch;
import dev.campaignctl.core.campaign.NewCampaign;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.NewRule;
import dev.campaignctl.core.rule.Reward;
import dev.campaignctl.core.rule.Rule;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The processor's guarantees under races and injected faults, with a real background processor on
 * a real PostgreSQL: rules committed before an event always decide it, nothing is paid after a
 * pause or a budget commits, an Error leaves no partial write, and no single event stops the queue.
 */
class ProcessorTrustTest {

    private Database db;
    private LocalDomainApi api;
    private EventProcessor processor;

    @BeforeEach
    void setUp() {
        db = TestDatabases.fresh();
        api = new LocalDomainApi(db, null, true);
    }

    @AfterEach
    void tearDown() {
        if (processor != null) {
            processor.close();
        }
        api.close();
    }

    private EventProcessor started(int batchSize, int workers) {
        processor = new EventProcessor(db, new EventProcessor.Settings(batchSize, Duration.ofMillis(50), workers));
        processor.start();
        return processor;
    }

    private Rule rule(long campaignId, String conditions, String reward) {
        return api.addRule(campaignId, new NewRule(null, 10, Json.tree(conditions), Reward.parse(reward)));
    }

    private Event register(String merchant, String amount) {
        return api.registerEvent(new NewEvent(null, "C1", merchant, new BigDecimal(amount), null, null, null)).event();
    }

    private void awaitQueueEmpty() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> Sql.count(db, "SELECT count(*) FROM events WHERE status = 'pending'") == 0);
    }

    @Test
    void everyEventIsDecidedWithTheRuleCreatedJustBeforeIt() throws Exception {
        started(50, 2);
        Campaign campaign = api.createCampaign(NewCampaign.of("race"));
        int pairs = 2_000;
        int lanes = 4;
        ConcurrentHashMap<Long, Long> ruleOfEvent = new ConcurrentHashMap<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(lanes)) {
            List<Future<?>> runs = new ArrayList<>();
            for (int lane = 0; lane < lanes; lane++) {
                int first = lane;
                runs.add(pool.submit(() -> {
                    for (int i = first; i < pairs; i += lanes) {
                        Rule rule = rule(campaign.id(), "{\"merchant_id\": \"M-" + i + "\"}", "fixed:1");
                        ruleOfEvent.put(register("M-" + i, "10").id(), rule.id());
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        }
        awaitQueueEmpty();

        assertThat(ruleOfEvent).hasSize(pairs);
        List<String> wrong = new ArrayList<>();
        ruleOfEvent.forEach((eventId, ruleId) -> {
            Event event = api.getEvent(eventId);
            if (event.status() != EventStatus.PROCESSED || !ruleId.equals(event.matchedRuleId())) {
                wrong.add("event " + eventId + " " + event.status() + " (rule " + event.matchedRuleId() + ", expected " + ruleId + ")");
            }
        });
        assertThat(wrong).as("events decided without the rule committed before them").isEmpty();
    }

    @Test
    void nothingIsPaidAfterAPauseCommits() throws Exception {
        assertNoPaymentAfter(campaign -> api.updateCampaign(campaign.id(),
                CampaignPatch.fromJson(Json.tree("{\"status\": \"paused\"}"))));
    }

    @Test
    void nothingIsPaidBeyondABudgetAddedWhileProcessing() throws Exception {
        assertNoPaymentAfter(campaign -> api.updateCampaign(campaign.id(),
                CampaignPatch.fromJson(Json.tree("{\"budget_total\": 0}"))));
    }

    /** Events stream in while two workers pay them; once {@code change} has committed, no further earning appears. */
    private void assertNoPaymentAfter(java.util.function.Consumer<Campaign> change) throws Exception {
        started(20, 2);
        Campaign campaign = api.createCampaign(NewCampaign.of("changing"));
        rule(campaign.id(), "{}", "fixed:1");
        AtomicBoolean stop = new AtomicBoolean();
        long paidWhenCommitted;
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int t = 0; t < 4; t++) {
                pool.submit(() -> {
                    while (!stop.get()) {
                        register("M", "10");
                    }
                    return null;
                });
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Sql.count(db, "SELECT count(*) FROM earnings") > 300);
            change.accept(campaign);
            paidWhenCommitted = Sql.count(db, "SELECT count(*) FROM earnings");
            stop.set(true);
        }
        awaitQueueEmpty();

        assertThat(Sql.count(db, "SELECT count(*) FROM earnings")).as("earnings after the change committed")
                .isEqualTo(paidWhenCommitted);
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE status = 'processed'")).isEqualTo(paidWhenCommitted);
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE status = 'skipped'"))
                .as("events decided after the change").isPositive();
    }

    @Test
    void anErrorInsideABatchLeavesNoPartialWriteAndTheWorkerIsRestarted() {
        Campaign campaign = api.createCampaign(new NewCampaign("budgeted", null, null, null, null, null,
                new BigDecimal("1000000"), null));
        rule(campaign.id(), "{}", "fixed:5");
        CountDownLatch thrown = new CountDownLatch(1);
        AtomicBoolean once = new AtomicBoolean();
        for (int i = 0; i < 200; i++) {
            register("M", "10");
        }
        processor = new EventProcessor(db, new EventProcessor.Settings(50, Duration.ofMillis(50), 1));
        processor.writeHook(ids -> {
            if (once.compareAndSet(false, true)) {
                thrown.countDown();
                throw new OutOfMemoryError("injected by the test after earnings and budget were written");
            }
        });
        processor.start();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> !processor.health().ready());
        try (LocalDomainApi serving = new LocalDomainApi(db, processor, false)) {
            assertThat(serving.health().healthy()).as("readiness while the worker is down").isFalse();
            awaitQueueEmpty();
            // Health is computed at most once a second: it turns healthy within the next.
            await().atMost(Duration.ofSeconds(5)).until(() -> serving.health().healthy());
        }
        awaitQueueEmpty();

        assertThat(thrown.getCount()).isZero();
        assertThat(processor.health().ready()).isTrue();
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE status = 'processed'")).isEqualTo(200);
        assertThat(Sql.count(db, "SELECT count(*) FROM earnings")).isEqualTo(200);
        assertThat(Sql.count(db, "SELECT count(DISTINCT event_id) FROM earnings")).isEqualTo(200);
        assertThat(Sql.count(db, "SELECT budget_spent FROM campaigns WHERE id = " + campaign.id())).isEqualTo(1000);
    }

    @Test
    void anEventThatFailsAtWriteTimeIsMarkedFailedAndTheNextThousandAreProcessed() {
        Campaign campaign = api.createCampaign(NewCampaign.of("poison"));
        rule(campaign.id(), "{}", "fixed:1");
        long poison = register("M", "10").id();
        for (int i = 0; i < 1_000; i++) {
            register("M", "10");
        }
        processor = new EventProcessor(db, new EventProcessor.Settings(1_000, Duration.ofMillis(50), 1));
        processor.writeHook(ids -> {
            if (ids.contains(poison)) {
                throw new IllegalStateException("injected write failure for event " + poison);
            }
        });

        EventProcessor.Outcome outcome = processor.runUntilEmpty();

        assertThat(outcome.failed()).isEqualTo(1);
        assertThat(outcome.processed()).isEqualTo(1_000);
        Event failed = api.getEvent(poison);
        assertThat(failed.status()).isEqualTo(EventStatus.FAILED);
        assertThat(failed.failureReason()).contains("injected write failure");
        assertThat(failed.earnings()).isEmpty();
        assertThat(Sql.count(db, "SELECT count(*) FROM earnings")).isEqualTo(1_000);
    }

    @Test
    void anEarningTooLargeForItsColumnFailsOnlyItsEvent() {
        Campaign campaign = api.createCampaign(NewCampaign.of("overflow"));
        // Written around the API's check, as a rule stored before the check existed would be.
        Sql.execute(db, "INSERT INTO campaign_rules (campaign_id, conditions, reward_type, reward_value)"
                + " VALUES (" + campaign.id() + ", '{\"merchant_id\": \"BIG\"}', 'per_unit', 1000000000)");
        rule(campaign.id(), "{\"merchant_id\": \"SMALL\"}", "fixed:1");
        register("SMALL", "1");
        long big = register("BIG", "999999999999").id();
        for (int i = 0; i < 100; i++) {
            register("SMALL", "1");
        }
        processor = new EventProcessor(db, new EventProcessor.Settings(1_000, Duration.ofMillis(50), 1));

        processor.runUntilEmpty();

        Event failed = api.getEvent(big);
        assertThat(failed.status()).isEqualTo(EventStatus.FAILED);
        assertThat(failed.failureReason()).contains("22003").contains("overflow");
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE status = 'processed'")).isEqualTo(101);
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE status = 'pending'")).isZero();
    }

    @Test
    void aRuleWhoseRewardCouldOverflowAnEarningIsRefused() {
        Campaign campaign = api.createCampaign(NewCampaign.of("refuse"));

        assertThatThrownBy(() -> rule(campaign.id(), "{}", "per_unit:1000000000"))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> {
                    assertThat(((ApiException) e).field()).isEqualTo("reward.value");
                    assertThat(e.getMessage()).contains("at most 10000");
                });
        assertThatThrownBy(() -> rule(campaign.id(), "{}", "percentage:1000000"))
                .isInstanceOf(ApiException.class).hasMessageContaining("at most 100000");
        assertThat(rule(campaign.id(), "{}", "per_unit:10000").reward().value()).isEqualByComparingTo("10000");
    }

    @Test
    void theLargestAllowedRewardsFitTheEarningsColumnForTheLargestAmount() {
        Campaign campaign = api.createCampaign(NewCampaign.of("edge"));
        rule(campaign.id(), "{\"merchant_id\": \"P\"}", "per_unit:10000");
        rule(campaign.id(), "{\"merchant_id\": \"Q\"}", "percentage:100000");
        rule(campaign.id(), "{\"merchant_id\": \"F\"}", "fixed:1000000000");
        register("P", "999999999999.9999");
        register("Q", "999999999999.9999");
        register("F", "999999999999.9999");
        processor = new EventProcessor(db, new EventProcessor.Settings(10, Duration.ofMillis(50), 1));

        assertThat(processor.runUntilEmpty().processed()).isEqualTo(3);
    }

    @Test
    void everyChangeToRulesBumpsTheRuleSetVersionAndBudgetSpendingDoesNot() {
        Campaign campaign = api.createCampaign(NewCampaign.of("versioned"));
        long version = Sql.count(db, "SELECT version FROM rule_set_version");
        rule(campaign.id(), "{\"merchant_id\": \"A\"}", "fixed:1");
        assertThat(Sql.count(db, "SELECT version FROM rule_set_version")).isGreaterThan(version);
        // A change by hand (psql) bumps the counter too, through the trigger.
        long before = Sql.count(db, "SELECT version FROM rule_set_version");
        Sql.execute(db, "UPDATE campaign_rules SET priority = 5");
        assertThat(Sql.count(db, "SELECT version FROM rule_set_version")).isGreaterThan(before);
        // The processor's own budget counter does not.
        long unchanged = Sql.count(db, "SELECT version FROM rule_set_version");
        Sql.execute(db, "UPDATE campaigns SET budget_spent = budget_spent");
        assertThat(Sql.count(db, "SELECT version FROM rule_set_version")).isEqualTo(unchanged);
    }
}
