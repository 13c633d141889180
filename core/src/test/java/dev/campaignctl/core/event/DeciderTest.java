package dev.campaignctl.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.campaign.CampaignStatus;
import dev.campaignctl.core.campaign.EvaluationMode;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.ActiveRule;
import dev.campaignctl.core.rule.Reward;
import dev.campaignctl.core.rule.Rule;
import dev.campaignctl.core.rule.RuleSet;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The processor's decisions without a database: rules in memory, events as claimed. */
class DeciderTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static Campaign campaign(long id, EvaluationMode mode) {
        return new Campaign(id, "c" + id, null, CampaignStatus.ACTIVE, null, null, mode, null, BigDecimal.ZERO,
                null, NOW, NOW);
    }

    private static ActiveRule rule(long id, Campaign campaign, int priority, String when, String reward) {
        return ActiveRule.compile(new Rule(id, campaign.id(), "r" + id, priority, Json.tree(when),
                Reward.parse(reward), NOW), campaign);
    }

    private static ClaimedEvent event(long id, String merchant, String amount, String refunded) {
        return new ClaimedEvent(id, "x" + id, "C1", merchant, new BigDecimal(amount), "EUR", NOW, "{}",
                new BigDecimal(refunded), null);
    }

    @Test
    void theHighestPriorityPayingRuleIsTheMatchedOneAndFirstModePaysOncePerCampaign() {
        Campaign first = campaign(1, EvaluationMode.FIRST);
        Campaign all = campaign(2, EvaluationMode.ALL);
        RuleSet rules = RuleSet.of(List.of(
                rule(10, first, 5, "{\"merchant_id\":\"M1\"}", "fixed:100"),
                rule(11, first, 9, "{\"merchant_id\":\"M1\"}", "fixed:7"),
                rule(20, all, 1, "{\"merchant_id\":\"M1\"}", "fixed:3"),
                rule(21, all, 2, "{\"amount\":{\"$gte\":50}}", "fixed:4")));

        Decision decision = Decider.decide(event(1, "M1", "60", "0"), rules);

        assertThat(decision.status()).isEqualTo(EventStatus.PROCESSED);
        assertThat(decision.firstPayingRule()).isEqualTo(11L);
        assertThat(decision.matches).extracting(m -> m.rule().rule().id()).containsExactly(11L, 21L, 20L);
        assertThat(decision.paid).containsExactly(new BigDecimal("7"), new BigDecimal("4"), new BigDecimal("3"));
    }

    @Test
    void noMatchIsSkippedAndAnEventRefundedInPartBeforeProcessingPaysOnlyTheRest() {
        RuleSet rules = RuleSet.of(List.of(rule(1, campaign(1, EvaluationMode.FIRST), 1,
                "{\"merchant_id\":\"M1\"}", "fixed:100")));

        assertThat(Decider.decide(event(1, "M2", "10", "0"), rules).status()).isEqualTo(EventStatus.SKIPPED);

        Decision partly = Decider.decide(event(2, "M1", "80", "20"), rules);
        assertThat(partly.paid).containsExactly(new BigDecimal("75.0000"));
        assertThat(partly.withheld).containsExactly(new BigDecimal("25.0000"));

        Decision fully = Decider.decide(event(3, "M1", "80", "80"), rules);
        assertThat(fully.paid.get(0).signum()).isZero();
        assertThat(fully.status()).isEqualTo(EventStatus.SKIPPED);
    }

    @Test
    void anEventWhoseEvaluationThrowsFailsAloneAndOutcomesAreCounted() {
        RuleSet rules = RuleSet.of(List.of(rule(1, campaign(1, EvaluationMode.FIRST), 1,
                "{\"merchant_id\":\"M1\"}", "fixed:100")));
        ClaimedEvent broken = new ClaimedEvent(9, "x9", "C1", "M1", BigDecimal.TEN, "EUR", NOW, "{not json",
                BigDecimal.ZERO, null);

        List<Decision> decisions = Decider.decide(List.of(event(1, "M1", "5", "0"), broken, event(2, "M3", "5", "0")),
                rules);

        assertThat(decisions.get(1).status()).isEqualTo(EventStatus.FAILED);
        assertThat(decisions.get(1).failure).startsWith("evaluation failed");
        assertThat(Decider.outcome(decisions)).isEqualTo(new EventProcessor.Outcome(3, 1, 1, 1));
    }
}
