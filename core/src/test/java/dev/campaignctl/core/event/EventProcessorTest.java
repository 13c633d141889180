package dev.campaignctl.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.api.LocalDomainApi;
import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.campaign.CampaignPatch;
import dev.campaignctl.core.campaign.CampaignStatus;
import dev.campaignctl.core.campaign.NewCampaign;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.NewRule;
import dev.campaignctl.core.rule.Reward;
import dev.campaignctl.core.rule.Rule;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventProcessorTest {

    private Database db;
    private LocalDomainApi api;
    private EventProcessor processor;

    @BeforeEach
    void setUp() {
        db = TestDatabases.fresh();
        api = new LocalDomainApi(db, null, true);
        processor = new EventProcessor(db, new EventProcessor.Settings(100, Duration.ofSeconds(5), 1));
    }

    @AfterEach
    void tearDown() {
        processor.close();
        api.close();
    }

    private Campaign campaign(String name) {
        return api.createCampaign(NewCampaign.of(name));
    }

    private Rule rule(Campaign campaign, int priority, String conditions, String reward) {
        return api.addRule(campaign.id(), new NewRule(null, priority, Json.tree(conditions), Reward.parse(reward)));
    }

    private Event register(String merchant, String amount) {
        return api.registerEvent(new NewEvent(null, "C1", merchant, new BigDecimal(amount), null, null, null)).event();
    }

    @Test
    void matchingEventIsProcessedWithOneEarning() {
        Rule rule = rule(campaign("Spring Sale 2024"), 10, "{\"merchant_id\": \"MERCHANT_001\"}", "fixed:100");
        Event event = register("MERCHANT_001", "150.00");

        assertThat(processor.runUntilEmpty()).isEqualTo(new EventProcessor.Outcome(1, 1, 0, 0));

        Event done = api.getEvent(event.id());
        assertThat(done.status()).isEqualTo(EventStatus.PROCESSED);
        assertThat(done.matchedRuleId()).isEqualTo(rule.id());
        assertThat(done.processedAt()).isNotNull();
        assertThat(done.earnings()).singleElement().satisfies(earning -> {
            assertThat(earning.ruleId()).isEqualTo(rule.id());
            assertThat(earning.customerId()).isEqualTo("C1");
            assertThat(earning.amount()).isEqualByComparingTo("100");
        });
    }

    @Test
    void pendingEventWithoutMatchingRuleIsSkipped() {
        rule(campaign("c"), 10, "{\"merchant_id\": \"MERCHANT_001\"}", "fixed:100");
        Event event = register("MERCHANT_999", "10");

        processor.runUntilEmpty();

        Event done = api.getEvent(event.id());
        assertThat(done.status()).isEqualTo(EventStatus.SKIPPED);
        assertThat(done.matchedRuleId()).isNull();
        assertThat(done.earnings()).isEmpty();
    }

    @Test
    void rulesOfInactiveCampaignsAreIgnored() {
        Campaign paused = campaign("paused");
        rule(paused, 10, "{\"merchant_id\": \"M\"}", "fixed:1");
        api.updateCampaign(paused.id(), CampaignPatch.status(CampaignStatus.PAUSED));
        Campaign draft = api.createCampaign(new NewCampaign("draft", null, CampaignStatus.DRAFT, null, null));
        rule(draft, 10, "{\"merchant_id\": \"M\"}", "fixed:1");
        Event event = register("M", "10");

        processor.runUntilEmpty();

        assertThat(api.getEvent(event.id()).status()).isEqualTo(EventStatus.SKIPPED);
    }

    @Test
    void highestPriorityMatchingRuleWinsWithinACampaign() {
        Campaign campaign = campaign("c");
        rule(campaign, 1, "{\"merchant_id\": \"M\"}", "fixed:1");
        Rule high = rule(campaign, 50, "{\"amount\": {\"$gte\": 100}}", "percentage:10");
        rule(campaign, 99, "{\"merchant_id\": \"OTHER\"}", "fixed:1000");
        Event event = register("M", "150.00");

        processor.runUntilEmpty();

        Event done = api.getEvent(event.id());
        assertThat(done.matchedRuleId()).isEqualTo(high.id());
        assertThat(done.earnings()).singleElement()
                .satisfies(e -> assertThat(e.amount()).isEqualByComparingTo("15.00"));
    }

    @Test
    void eachMatchingCampaignPaysOnceAndTheEventRecordsTheTopRule() {
        Rule first = rule(campaign("a"), 20, "{\"merchant_id\": \"M\"}", "fixed:5");
        Rule second = rule(campaign("b"), 10, "{\"merchant_id\": \"M\"}", "fixed:7");
        Event event = register("M", "1");

        processor.runUntilEmpty();

        Event done = api.getEvent(event.id());
        assertThat(done.matchedRuleId()).isEqualTo(first.id());
        assertThat(done.earnings()).extracting(e -> e.ruleId()).containsExactly(first.id(), second.id());
    }

    @Test
    void campaignWindowIsCheckedAgainstWhenTheEventOccurred() {
        Instant start = Instant.parse("2024-03-01T00:00:00Z");
        Campaign spring = api.createCampaign(new NewCampaign("spring", null, null, start, start.plus(Duration.ofDays(30))));
        rule(spring, 1, "{\"merchant_id\": \"M\"}", "fixed:1");
        Event inside = api.registerEvent(new NewEvent(null, null, "M", BigDecimal.ONE, null,
                start.plus(Duration.ofDays(1)), null)).event();
        Event before = api.registerEvent(new NewEvent(null, null, "M", BigDecimal.ONE, null,
                start.minusSeconds(1), null)).event();

        processor.runUntilEmpty();

        assertThat(api.getEvent(inside.id()).status()).isEqualTo(EventStatus.PROCESSED);
        assertThat(api.getEvent(before.id()).status()).isEqualTo(EventStatus.SKIPPED);
    }

    @Test
    void startedProcessorPicksUpANewEventWithoutWaitingForThePoll() throws InterruptedException {
        EventProcessor background = new EventProcessor(db, new EventProcessor.Settings(100, Duration.ofMinutes(10), 1));
        LocalDomainApi waking = new LocalDomainApi(db, background, false);
        rule(campaign("c"), 1, "{\"merchant_id\": \"M\"}", "fixed:1");
        background.start();
        try {
            Event event = waking.registerEvent(new NewEvent(null, null, "M", BigDecimal.TEN, null, null, null)).event();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (waking.getEvent(event.id()).status() == EventStatus.PENDING && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            // The poll interval is 10 minutes: only the wake-up can have decided the event.
            assertThat(waking.getEvent(event.id()).status()).isEqualTo(EventStatus.PROCESSED);
        } finally {
            background.close();
        }
    }

    @Test
    void anEventInsertedByAnotherProcessIsPickedUpThroughNotify() throws InterruptedException {
        EventProcessor background = new EventProcessor(db, new EventProcessor.Settings(100, Duration.ofMinutes(10), 1));
        rule(campaign("c"), 1, "{\"merchant_id\": \"M\"}", "fixed:1");
        background.start();
        try {
            // Let the listener subscribe; an insert before LISTEN would only be seen by the first poll.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (Sql.count(db, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'") == 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Sql.execute(db, "INSERT INTO events (merchant_id, amount) VALUES ('M', 1)");
            while (Sql.count(db, "SELECT count(*) FROM events WHERE status = 'pending'") > 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE status = 'processed'")).isEqualTo(1);
        } finally {
            background.close();
        }
    }

    @Test
    void processBatchClaimsAtMostTheBatchSize() {
        rule(campaign("c"), 1, "{\"merchant_id\": \"M0\"}", "fixed:1");
        Sql.insertPendingEvents(db, 250, 2);

        EventProcessor.Outcome first = processor.processBatch();

        assertThat(first.claimed()).isEqualTo(100);
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE status = 'pending'")).isEqualTo(150);
        assertThat(processor.runUntilEmpty().claimed()).isEqualTo(150);
    }
}
