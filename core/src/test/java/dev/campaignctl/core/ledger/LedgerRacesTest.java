package dev.campaignctl.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.campaignctl.core.api.LocalDomainApi;
import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.campaign.CampaignPatch;
import dev.campaignctl.core.campaign.NewCampaign;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.NewRule;
import dev.campaignctl.core.rule.Reward;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Refunds racing the processing of their own events, and redemptions racing expiry, with real threads. */
class LedgerRacesTest {

    private Database db;
    private LocalDomainApi api;
    private EventProcessor processor;
    private LedgerStore ledger;
    private Campaign campaign;

    @BeforeEach
    void setUp() {
        db = TestDatabases.fresh();
        api = new LocalDomainApi(db, null, true);
        ledger = new LedgerStore(db.dataSource());
        campaign = api.createCampaign(new NewCampaign("race", null, null, null, null, null, new BigDecimal("1000000"),
                new BigDecimal("100000"), "P1D"));
        api.addRule(campaign.id(), new NewRule(null, 1, Json.tree("{}"), Reward.parse("percentage:100")));
    }

    @AfterEach
    void tearDown() {
        if (processor != null) {
            processor.close();
        }
        assertThat(ledger.verify().mismatches()).isEmpty();
        api.close();
    }

    @Test
    void fullRefundsRacingTheProcessingOfTheirEventsLeaveNothingPaidAndTheBudgetWhole() throws Exception {
        processor = new EventProcessor(db, new EventProcessor.Settings(20, Duration.ofMillis(20), 2));
        processor.start();
        List<Long> events = new ArrayList<>();
        try (ExecutorService refunders = Executors.newFixedThreadPool(4)) {
            List<Future<?>> refunds = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                long id = api.registerEvent(new NewEvent(null, "C" + (i % 7), "M", BigDecimal.valueOf(10 + i % 13),
                        null, null, null)).event().id();
                events.add(id);
                refunds.add(refunders.submit(() -> ledger.refund(id, null, "race")));
            }
            for (Future<?> refund : refunds) {
                refund.get();
            }
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> Sql.count(db, "SELECT count(*) FROM events WHERE status = 'pending'") == 0);

        assertThat(Sql.count(db, "SELECT count(*) FROM balances WHERE available <> 0")).isZero();
        assertThat(Sql.count(db, "SELECT budget_spent FROM campaigns WHERE id = " + campaign.id())).isZero();
        assertThat(Sql.count(db, "SELECT coalesce(sum(spent), 0) FROM campaign_customer_spend")).isZero();
        assertThat(Sql.count(db, "SELECT count(*) FROM earnings WHERE amount - reversed <> 0")).isZero();
    }

    /** One external_id sent for twenty customers at once: one redemption, nineteen conflicts, never a broken unique index (500). */
    @Test
    void redemptionsOfOneExternalIdForManyCustomersAtOnceStoreOne() throws Exception {
        for (int i = 0; i < 20; i++) {
            ledger.adjust("X" + i, new BigDecimal("100"), "to redeem", "test");
        }
        List<Future<String>> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 20; i++) {
                String customer = "X" + i;
                outcomes.add(pool.submit(() -> {
                    go.await();
                    try {
                        ledger.redeem(customer, new BigDecimal("5"), null, "dup1");
                        return "created";
                    } catch (dev.campaignctl.core.error.ApiException e) {
                        return e.kind() + " " + e.field();
                    }
                }));
            }
            go.countDown();
        }
        List<String> results = outcomes.stream().map(Future::resultNow).toList();
        assertThat(results).containsOnlyOnce("created");
        assertThat(results.stream().filter(r -> !r.equals("created"))).hasSize(19).allMatch(r -> r.equals("CONFLICT external_id"));
    }

    @Test
    void redemptionsRacingExpiryNeverSpendExpiredPointsNorGoNegative() throws Exception {
        processor = new EventProcessor(db, new EventProcessor.Settings(100, Duration.ofSeconds(5), 1));
        for (int i = 0; i < 50; i++) {
            api.registerEvent(new NewEvent(null, "C1", "M", BigDecimal.valueOf(10), null, null, null));
        }
        processor.runUntilEmpty();
        ledger.adjust("C1", new BigDecimal("100"), "never expires", "test");
        AtomicBoolean stop = new AtomicBoolean();
        BigDecimal[] redeemed = {BigDecimal.ZERO};
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                runs.add(pool.submit(() -> {
                    while (!stop.get()) {
                        try {
                            ledger.redeem("C1", new BigDecimal("7"), null, null);
                            synchronized (redeemed) {
                                redeemed[0] = redeemed[0].add(new BigDecimal("7"));
                            }
                        } catch (ApiException e) {
                            return null;
                        }
                    }
                    return null;
                }));
            }
            runs.add(pool.submit(() -> ledger.expire(Instant.now().plus(Duration.ofDays(2)))));
            runs.add(pool.submit(() -> ledger.expire(Instant.now().plus(Duration.ofDays(2)))));
            for (Future<?> run : runs) {
                run.get();
            }
        }
        Balance balance = ledger.balance("C1");
        assertThat(balance.available()).isNotNegative();
        assertThat(balance.redeemed()).isEqualByComparingTo(redeemed[0]);
        // 600 earned: what was neither spent nor expired is left; at most the 100 that never expire.
        assertThat(balance.earned().add(balance.adjusted()).subtract(balance.redeemed()).subtract(balance.expired()))
                .isEqualByComparingTo(balance.available());
        assertThat(balance.available()).isLessThanOrEqualTo(new BigDecimal("100"));
        assertThat(ledger.expire(Instant.now().plus(Duration.ofDays(2)))).as("nothing left to expire").isZero();
    }

    /**
     * Lock order: API refunds of purchases paid by two limited campaigns, refund events of the same
     * purchases, and new purchases paid by one of the campaigns, all for one customer and at once.
     * A refund that locked the customer's balance between its two campaigns, or a refund event
     * applied in a batch already holding campaigns and balances, closed deadlocks here; PostgreSQL
     * broke them by failing one side (an API refund answered with a database error).
     */
    @Test
    void refundsOfTwoCampaignEarningsRaceNewPurchasesAndRefundEventsWithoutDeadlocks() throws Exception {
        Campaign second = api.createCampaign(new NewCampaign("second", null, null, null, null, null,
                new BigDecimal("1000000"), new BigDecimal("100000"), null));
        api.addRule(second.id(), new NewRule(null, 1, Json.tree("{\"merchant_id\": \"OLD\"}"), Reward.parse("fixed:3")));
        List<Long> old = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            old.add(api.registerEvent(new NewEvent("old-" + i, "C1", "OLD", new BigDecimal("40"), null, null, null))
                    .event().id());
        }
        new EventProcessor(db, new EventProcessor.Settings(100, Duration.ofSeconds(5), 1)).runUntilEmpty();
        // From now on new purchases are paid by the second campaign alone: a batch of them locks only
        // the campaign a refund of an old purchase locks last.
        api.updateCampaign(campaign.id(), CampaignPatch.fromJson(Json.tree("{\"status\": \"paused\"}")));
        api.addRule(second.id(), new NewRule(null, 2, Json.tree("{\"merchant_id\": \"NEW\"}"), Reward.parse("fixed:1")));

        processor = new EventProcessor(db, new EventProcessor.Settings(10, Duration.ofMillis(20), 2));
        processor.start();
        List<String> errors = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int offset = t;
                runs.add(pool.submit(() -> {
                    for (int i = offset; i < old.size(); i += 3) {
                        try {
                            ledger.refund(old.get(i), new BigDecimal("10"), "api");
                        } catch (RuntimeException e) {
                            synchronized (errors) {
                                errors.add(e.toString());
                            }
                        }
                    }
                    return null;
                }));
            }
            runs.add(pool.submit(() -> {
                for (int i = 0; i < old.size(); i++) {
                    api.registerEvent(NewEvent.refund("refund-" + i, "old-" + i, new BigDecimal("10")));
                    api.registerEvent(new NewEvent("new-" + i, "C1", "NEW", new BigDecimal("5"), null, null, null));
                }
                return null;
            }));
            for (Future<?> run : runs) {
                run.get();
            }
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> Sql.count(db, "SELECT count(*) FROM events WHERE status = 'pending'") == 0);

        assertThat(errors).as("API refunds that failed").isEmpty();
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE status = 'failed'")).isZero();
        // Each old purchase paid 40 (first campaign, 100%) and 3 (second), and half of it is refunded (10 twice);
        // each new one 1 (second).
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE type = 'purchase' AND external_id LIKE 'old-%'"
                + " AND refunded <> 20")).isZero();
        assertThat(Sql.count(db, "SELECT budget_spent FROM campaigns WHERE id = " + second.id()))
                .isEqualTo(old.size() * 3 / 2 + old.size());
    }
}
