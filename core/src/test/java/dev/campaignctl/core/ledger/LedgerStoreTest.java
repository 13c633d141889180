package dev.campaignctl.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.api.LocalDomainApi;
import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.campaign.NewCampaign;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.event.Event;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.NewRule;
import dev.campaignctl.core.rule.Reward;
import dev.campaignctl.core.testing.MutableClock;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Balances, redemptions, refunds, expiry and adjustments on a real PostgreSQL, with the real processor paying. */
class LedgerStoreTest {

    private Database db;
    private LocalDomainApi api;
    private EventProcessor processor;
    private LedgerStore ledger;

    @BeforeEach
    void setUp() {
        db = TestDatabases.fresh();
        api = new LocalDomainApi(db, null, true);
        processor = new EventProcessor(db, new EventProcessor.Settings(100, Duration.ofSeconds(5), 1));
        ledger = new LedgerStore(db.dataSource());
    }

    @AfterEach
    void tearDown() {
        assertThat(ledger.verify().mismatches()).as("ledger verify after the test").isEmpty();
        processor.close();
        api.close();
    }

    private Campaign campaign(String validFor, BigDecimal budget) {
        Campaign campaign = api.createCampaign(new NewCampaign("ledger", null, null, null, null, null, budget, null, validFor));
        api.addRule(campaign.id(), new NewRule(null, 1, Json.tree("{}"), Reward.parse("percentage:100")));
        return campaign;
    }

    private Event purchase(String customer, String amount) {
        return api.registerEvent(new NewEvent(null, customer, "M", new BigDecimal(amount), null, null, null)).event();
    }

    private static BigDecimal points(String text) {
        return new BigDecimal(text);
    }

    @Test
    void earningsBecomeLotsAndTheBalanceIsTheirSum() {
        campaign("P30D", null);
        purchase("C1", "100");
        purchase("C1", "200");
        processor.runUntilEmpty();

        Balance balance = ledger.balance("C1");
        assertThat(balance.available()).isEqualByComparingTo("300");
        assertThat(balance.earned()).isEqualByComparingTo("300");
        assertThat(balance.nextExpiry().points()).isEqualByComparingTo("300");
        assertThat(balance.nextExpiry().at()).isAfter(Instant.now().plus(Duration.ofDays(29)));
        List<LedgerEntry> entries = ledger.ledger("C1", 10, null);
        assertThat(entries).extracting(LedgerEntry::type).containsExactly("earn", "earn");
        assertThat(entries.get(0).lots()).singleElement().satisfies(lot -> assertThat(lot.points()).isEqualByComparingTo("200"));
        assertThat(ledger.balance("nobody").available()).isZero();
    }

    @Test
    void redemptionsDrawFromTheLotsThatExpireFirstAndReverseIntoThem() {
        campaign("P30D", null);
        Campaign longer = campaign("P365D", null);
        purchase("C1", "100");
        processor.runUntilEmpty();
        api.updateCampaign(longer.id(), dev.campaignctl.core.campaign.CampaignPatch.fromJson(Json.tree("{\"status\": \"paused\"}")));
        // Both campaigns paid the first purchase (evaluation first, per campaign): 100 expiring in 30 days, 100 in 365.

        Redemption redemption = ledger.redeem("C1", points("150"), "gift card", "r-1");
        assertThat(redemption.balance().available()).isEqualByComparingTo("50");
        assertThat(redemption.balance()).as("the balance the redemption's statement returned").isEqualTo(ledger.balance("C1"));
        assertThat(redemption.balance().nextExpiry().points()).isEqualByComparingTo("50");
        assertThat(redemption.lots()).hasSize(2);
        assertThat(redemption.lots().get(0).points()).isEqualByComparingTo("-100");
        assertThat(redemption.lots().get(0).expiresAt()).isBefore(redemption.lots().get(1).expiresAt());
        assertThat(ledger.redeem("C1", points("150"), "gift card", "r-1").id()).as("a retry").isEqualTo(redemption.id());

        assertThatThrownBy(() -> ledger.redeem("C1", points("51"), null, null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo("insufficient_points");
                    assertThat(e.details()).containsEntry("available", new BigDecimal("50"));
                });

        assertThatThrownBy(() -> ledger.redeem("nobody-" + redemption.id(), points("1"), null, null))
                .as("a customer without a balance row holds nothing")
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo("insufficient_points");
                    assertThat(e.details()).containsEntry("available", BigDecimal.ZERO);
                });

        Redemption reversed = ledger.reverseRedemption(redemption.id());
        assertThat(reversed.balance().available()).isEqualByComparingTo("200");
        assertThat(ledger.reverseRedemption(redemption.id()).balance().available()).as("idempotent").isEqualByComparingTo("200");
        assertThat(ledger.balance("C1").nextExpiry().points()).isEqualByComparingTo("100");
    }

    /**
     * An earning paid before its campaign had a budget used none of it: refunding it gives nothing
     * back to the budget (it did, and a budget added later could then be overspent).
     */
    @Test
    void aRefundGivesBackOnlyTheBudgetItsEarningUsed() {
        Campaign campaign = campaign(null, null);
        Event before = purchase("C1", "100");
        processor.runUntilEmpty();
        api.updateCampaign(campaign.id(), dev.campaignctl.core.campaign.CampaignPatch.fromJson(
                Json.tree("{\"budget_total\": 100, \"customer_cap\": 1000}")));
        Event within = purchase("C2", "100");
        processor.runUntilEmpty();
        assertThat(api.getCampaign(campaign.id()).budgetSpent()).isEqualByComparingTo("100");

        assertThat(ledger.refund(before.id(), null, "return").reversedPoints()).isEqualByComparingTo("100");
        assertThat(api.getCampaign(campaign.id()).budgetSpent()).as("the refunded earning never used the budget")
                .isEqualByComparingTo("100");
        purchase("C3", "100");
        processor.runUntilEmpty();
        assertThat(ledger.balance("C3").available()).as("the budget is spent").isZero();
        // One that did use it gives it back, and its customer's capped spend too.
        assertThat(ledger.refund(within.id(), null, "return").reversedPoints()).isEqualByComparingTo("100");
        assertThat(api.getCampaign(campaign.id()).budgetSpent()).isZero();
        purchase("C2", "40");
        processor.runUntilEmpty();
        assertThat(ledger.balance("C2").available()).isEqualByComparingTo("40");
    }

    /**
     * Earnings from before V10 cannot tell whether a budget counted them: they count as not counted,
     * so a refund of one paid before its campaign had a budget never lets the budget be overspent.
     */
    @Test
    void earningsPaidBeforeTheUpgradeGiveNoBudgetBack() throws Exception {
        Campaign campaign = campaign(null, null);
        Event before = purchase("C1", "100");
        processor.runUntilEmpty();
        api.updateCampaign(campaign.id(), dev.campaignctl.core.campaign.CampaignPatch.fromJson(Json.tree("{\"budget_total\": 100}")));
        purchase("C2", "100");
        processor.runUntilEmpty();
        // The database as an older campaignctl left it (the same rows without the two columns), upgraded by V10.
        String v10;
        try (var in = getClass().getResourceAsStream("/db/migration/V10__earnings_limits_counted.sql")) {
            v10 = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        try (var c = db.connection(); var st = c.createStatement()) {
            st.execute("ALTER TABLE earnings DROP COLUMN budget_counted, DROP COLUMN cap_counted");
            st.execute(v10);
        }

        ledger.refund(before.id(), null, "return");
        assertThat(api.getCampaign(campaign.id()).budgetSpent()).isEqualByComparingTo("100");
        purchase("C3", "100");
        processor.runUntilEmpty();
        assertThat(ledger.balance("C2").available().add(ledger.balance("C3").available())).isEqualByComparingTo("100");
    }

    @Test
    void refundsReverseInProportionNeverMoreThanEarnedAndGiveBackTheBudget() {
        Campaign campaign = campaign(null, new BigDecimal("1000"));
        Event event = purchase("C1", "100");
        processor.runUntilEmpty();
        assertThat(api.getCampaign(campaign.id()).budgetSpent()).isEqualByComparingTo("100");

        Refund first = ledger.refund(event.id(), points("33.33"), "return");
        Refund second = ledger.refund(event.id(), points("33.33"), "return");
        Refund rest = ledger.refund(event.id(), null, "return");

        assertThat(first.reversedPoints()).isEqualByComparingTo("33.33");
        assertThat(second.reversedPoints()).isEqualByComparingTo("33.33");
        assertThat(rest.reversedPoints()).isEqualByComparingTo("33.34");
        assertThat(rest.balance().available()).isZero();
        assertThat(api.getCampaign(campaign.id()).budgetSpent()).isZero();
        assertThatThrownBy(() -> ledger.refund(event.id(), null, null)).isInstanceOf(ApiException.class)
                .hasMessageContaining("already refunded in full");
    }

    @Test
    void aRefundOfSpentPointsLeavesADebtThatTheNextEarningPaysFirst() {
        campaign(null, null);
        Event event = purchase("C1", "100");
        processor.runUntilEmpty();
        ledger.redeem("C1", points("80"), null, null);

        Refund refund = ledger.refund(event.id(), null, null);

        assertThat(refund.balance().available()).isEqualByComparingTo("-80");
        assertThat(refund.balance().negative()).isTrue();
        purchase("C1", "50");
        processor.runUntilEmpty();
        assertThat(ledger.balance("C1").available()).isEqualByComparingTo("-30");
        purchase("C1", "50");
        processor.runUntilEmpty();
        Balance balance = ledger.balance("C1");
        assertThat(balance.available()).isEqualByComparingTo("20");
        assertThat(ledger.redeem("C1", points("20"), null, null).balance().available()).isZero();
    }

    @Test
    void aRefundBeforeProcessingMakesTheProcessorPayOnlyTheRemainder() {
        campaign(null, null);
        Event event = purchase("C1", "100");

        Refund refund = ledger.refund(event.id(), points("40"), null);
        assertThat(refund.reversedPoints()).isZero();
        processor.runUntilEmpty();

        assertThat(ledger.balance("C1").available()).isEqualByComparingTo("60");
        assertThat(ledger.refund(event.id(), null, null).reversedPoints()).isEqualByComparingTo("60");
        assertThat(ledger.balance("C1").available()).isZero();
    }

    @Test
    void refundsArriveAsEventsLikePurchasesInTheSameBatchOrLater() {
        campaign(null, null);
        api.registerEvent(new NewEvent("sale-1", "C1", "M", new BigDecimal("100"), null, null, null));
        api.registerEvent(NewEvent.refund("return-1", "sale-1", new BigDecimal("30")));
        api.registerEvent(NewEvent.refund("return-2", "no-such-sale", new BigDecimal("5")));
        processor.runUntilEmpty();

        assertThat(ledger.balance("C1").available()).isEqualByComparingTo("70");
        api.registerEvent(NewEvent.refund("return-3", "sale-1", new BigDecimal("80")));
        api.registerEvent(NewEvent.refund("return-4", "sale-1", new BigDecimal("70")));
        processor.runUntilEmpty();

        assertThat(ledger.balance("C1").available()).isZero();
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE type = 'refund' AND status = 'processed'")).isEqualTo(2);
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE type = 'refund' AND status = 'failed'")).isEqualTo(2);
        assertThat(api.listEvents(null, 10).stream().filter(e -> "return-3".equals(e.externalId())).findFirst().orElseThrow()
                .failureReason()).contains("at most 70");
        // A refund event is not itself refunded through the API.
        long refundEvent = api.listEvents(null, 10).stream().filter(e -> "return-1".equals(e.externalId())).findFirst()
                .orElseThrow().id();
        assertThatThrownBy(() -> ledger.refund(refundEvent, null, null)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.getMessage()).contains("is a refund"));
    }

    @Test
    void expiryRunsOnceAndAdjustmentsKeepTheirReason() {
        campaign("P30D", null);
        purchase("C1", "100");
        processor.runUntilEmpty();
        ledger.adjust("C1", points("10"), "goodwill", "admin");

        assertThat(ledger.expire(Instant.now().plus(Duration.ofDays(31)))).isEqualTo(1);
        assertThat(ledger.expire(Instant.now().plus(Duration.ofDays(31)))).as("again").isZero();

        Balance balance = ledger.balance("C1");
        assertThat(balance.available()).isEqualByComparingTo("10");
        assertThat(balance.expired()).isEqualByComparingTo("100");
        assertThat(ledger.adjust("C1", points("-4"), "correction", "admin").balance().available()).isEqualByComparingTo("6");
        assertThat(ledger.ledger("C1", 1, null)).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("adjust");
            assertThat(e.reason()).isEqualTo("correction");
        });
        assertThatThrownBy(() -> ledger.adjust("C1", points("1"), " ", null)).hasMessageContaining("is required");
    }

    @Test
    void sixtyFourConcurrentRedemptionsOfTenFromTwoHundredLetExactlyTwentyThrough() throws Exception {
        ledger.adjust("C1", points("200"), "start", "test");
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(64)) {
            List<Future<?>> runs = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                runs.add(pool.submit(() -> {
                    try {
                        ledger.redeem("C1", points("10"), null, null);
                        ok.incrementAndGet();
                    } catch (ApiException e) {
                        assertThat(e.code()).isEqualTo("insufficient_points");
                        refused.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        }
        assertThat(ok.get()).isEqualTo(20);
        assertThat(refused.get()).isEqualTo(44);
        assertThat(ledger.balance("C1").available()).isZero();
        assertThat(Sql.count(db, "SELECT count(*) FROM redemptions")).isEqualTo(20);
    }

    @Test
    void theLotsALedgerPageShowsAreFoundByIndexNotByReadingEveryLot() throws Exception {
        // With sequential scans priced out, a plan that still reads the whole table has no index to use.
        try (var c = db.connection(); var s = c.createStatement()) {
            s.execute("SET enable_seqscan = off");
            StringBuilder plan = new StringBuilder();
            try (var rs = s.executeQuery("EXPLAIN SELECT l.entry_id, l.id FROM lots l WHERE l.entry_id = ANY('{1,2,3}')"
                    + " UNION ALL SELECT m.entry_id, m.lot_id FROM lot_movements m WHERE m.entry_id = ANY('{1,2,3}')")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            assertThat(plan.toString()).doesNotContain("Seq Scan");
        }
    }

    /**
     * A redemption that waited for the customer's balance while a reversal put points back into a
     * lot already past its expiry must expire that lot, not spend it: what the lots hold is read
     * after the lock is granted (a statement that waited sees the newest version of the locked row
     * only, the rest as of its start).
     */
    @Test
    void aRedemptionThatWaitedForTheBalanceStillNeverSpendsExpiredPoints() throws Exception {
        campaign("P30D", null);
        purchase("C1", "100");
        processor.runUntilEmpty();
        Redemption all = ledger.redeem("C1", points("100"), "all of it", null);
        LedgerStore later = new LedgerStore(db.dataSource(), java.time.Clock.offset(java.time.Clock.systemUTC(),
                Duration.ofDays(31)));

        try (var holder = db.connection(); ExecutorService pool = Executors.newFixedThreadPool(2)) {
            holder.setAutoCommit(false);
            try (var s = holder.createStatement()) {
                s.executeQuery("SELECT available FROM balances WHERE customer_id = 'C1' FOR UPDATE").close();
            }
            // The reversal queues on the balance first, the redemption after it.
            Future<Redemption> reversal = pool.submit(() -> ledger.reverseRedemption(all.id()));
            awaitWaitingOnLocks(1);
            Future<Redemption> redemption = pool.submit(() -> later.redeem("C1", points("50"), null, null));
            awaitWaitingOnLocks(2);
            holder.commit();

            assertThat(reversal.get().balance().available()).isEqualByComparingTo("100");
            assertThatThrownBy(redemption::get).hasCauseInstanceOf(ApiException.class)
                    .cause().satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo("insufficient_points"));
        }
        // The refused redemption's expiry rolled back with it; the lot is due and expires on the next run.
        assertThat(later.balance("C1").redeemed()).as("only the first redemption, reversed").isZero();
        later.expire(Instant.now().plus(Duration.ofDays(31)));
        Balance balance = later.balance("C1");
        assertThat(balance.expired()).isEqualByComparingTo("100");
        assertThat(balance.available()).isZero();
    }

    private void awaitWaitingOnLocks(int sessions) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Sql.count(db,
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") >= sessions);
    }

    /** A lot that expires while a redemption waits for the customer's balance is due when the redemption goes on. */
    @Test
    void aLotThatExpiresWhileTheRedemptionWaitsIsNotSpent() throws Exception {
        campaign("P30D", null);
        purchase("C1", "100");
        processor.runUntilEmpty();
        MutableClock clock = new MutableClock(Instant.now());
        LedgerStore store = new LedgerStore(db.dataSource(), clock);

        try (var holder = db.connection(); ExecutorService pool = Executors.newSingleThreadExecutor()) {
            holder.setAutoCommit(false);
            try (var s = holder.createStatement()) {
                s.executeQuery("SELECT available FROM balances WHERE customer_id = 'C1' FOR UPDATE").close();
            }
            Future<Redemption> redemption = pool.submit(() -> store.redeem("C1", points("50"), null, null));
            awaitWaitingOnLocks(1);
            clock.advance(Duration.ofDays(31));
            holder.commit();

            assertThatThrownBy(redemption::get).hasCauseInstanceOf(ApiException.class)
                    .cause().satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo("insufficient_points"));
        }
        assertThat(store.balance("C1").redeemed()).isZero();
    }
}
