package dev.campaignctl.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Random sequences of earn, refund (full and partial), redeem, reverse, expire and adjust on a real
 * database, the real processor paying: after every step the ledger verifies (balance = sum of
 * entries, lots = max(balance, 0), each lot = its points and movements), a balance is negative only
 * after refunds of spent points, redemptions take the lots that expire first, and the limited
 * campaign's budget counts exactly what is paid and not reversed.
 */
class LedgerPropertiesTest {

    private Database db;
    private LocalDomainApi api;
    private EventProcessor processor;
    private LedgerStore ledger;
    private Campaign soon;

    /** One step of a sequence; {@code n} picks amounts and targets. */
    record Op(String kind, int n) {
    }

    @BeforeProperty
    void setUp() {
        db = TestDatabases.fresh();
        api = new LocalDomainApi(db, null, true);
        processor = new EventProcessor(db, new EventProcessor.Settings(100, Duration.ofSeconds(5), 1));
        ledger = new LedgerStore(db.dataSource());
        soon = api.createCampaign(new NewCampaign("soon", null, null, null, null, null, new BigDecimal("100000000"), null, "P10D"));
        api.addRule(soon.id(), new NewRule(null, 1, Json.tree("{\"merchant_id\": \"A\"}"), Reward.parse("percentage:100")));
        Campaign later = api.createCampaign(new NewCampaign("later", null, null, null, null, null, null, null, "P100D"));
        api.addRule(later.id(), new NewRule(null, 1, Json.tree("{\"merchant_id\": \"B\"}"), Reward.parse("fixed:7")));
    }

    @AfterProperty
    void tearDown() {
        processor.close();
        api.close();
    }

    @Provide
    Arbitrary<List<Op>> sequences() {
        Arbitrary<Op> op = Arbitraries.of("earnA", "earnB", "refundAll", "refundPart", "redeem", "reverse", "expire", "adjust")
                .flatMap(kind -> Arbitraries.integers().between(1, 60).map(n -> new Op(kind, n)));
        return op.list().ofMinSize(5).ofMaxSize(25);
    }

    @Property(tries = 25)
    void everySequenceKeepsTheLedgerExact(@ForAll("sequences") List<Op> ops) {
        String customer = "P" + System.nanoTime();
        List<Event> purchases = new ArrayList<>();
        List<Long> redemptions = new ArrayList<>();
        boolean refundedSpentPoints = false;
        int day = 0;
        for (Op op : ops) {
            BigDecimal before = ledger.balance(customer).available();
            switch (op.kind()) {
                case "earnA", "earnB" -> {
                    purchases.add(api.registerEvent(new NewEvent(null, customer, op.kind().equals("earnA") ? "A" : "B",
                            BigDecimal.valueOf(op.n()), null, null, null)).event());
                    processor.runUntilEmpty();
                }
                case "refundAll", "refundPart" -> {
                    if (purchases.isEmpty()) {
                        continue;
                    }
                    Event purchase = purchases.get(op.n() % purchases.size());
                    try {
                        Refund refund = ledger.refund(purchase.id(),
                                op.kind().equals("refundAll") ? null : new BigDecimal("0.5"), null);
                        if (refund.reversedPoints().compareTo(before.max(BigDecimal.ZERO)) > 0) {
                            refundedSpentPoints = true;
                        }
                    } catch (ApiException e) {
                        assertThat(e.getMessage()).containsAnyOf("refunded in full", "left to refund");
                    }
                }
                case "redeem" -> {
                    try {
                        Redemption redemption = ledger.redeem(customer, BigDecimal.valueOf(op.n()), null, null);
                        redemptions.add(redemption.id());
                        assertThat(redemption.balance().available()).isNotNegative();
                        assertFifo(redemption.lots());
                    } catch (ApiException e) {
                        assertThat(e.code()).isEqualTo("insufficient_points");
                        assertThat(BigDecimal.valueOf(op.n())).isGreaterThan(before);
                    }
                }
                case "reverse" -> {
                    if (!redemptions.isEmpty()) {
                        ledger.reverseRedemption(redemptions.get(op.n() % redemptions.size()));
                    }
                }
                case "expire" -> {
                    day += op.n() % 30;
                    ledger.expire(Instant.now().plus(Duration.ofDays(day)));
                }
                default -> ledger.adjust(customer, BigDecimal.valueOf(op.n()), "property", "test");
            }
            VerifyReport report = ledger.verify();
            assertThat(report.mismatches()).as("after " + op).isEmpty();
            if (!refundedSpentPoints) {
                assertThat(ledger.balance(customer).available()).as("after " + op).isNotNegative();
            }
            assertThat(Sql.count(db, "SELECT budget_spent - (SELECT coalesce(sum(amount - reversed), 0) FROM earnings"
                    + " WHERE campaign_id = " + soon.id() + ") FROM campaigns WHERE id = " + soon.id()))
                    .as("the budget counts what is paid and not reversed, after " + op).isZero();
        }
    }

    /** Lots are drawn in order of expiry, those without one last. */
    private static void assertFifo(List<LotChange> lots) {
        for (int i = 1; i < lots.size(); i++) {
            Instant previous = lots.get(i - 1).expiresAt();
            Instant next = lots.get(i).expiresAt();
            assertThat(previous == null && next != null).as("a lot without expiry before one with").isFalse();
            if (previous != null && next != null) {
                assertThat(previous).isBeforeOrEqualTo(next);
            }
        }
    }
}
