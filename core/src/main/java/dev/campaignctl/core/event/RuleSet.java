package dev.campaignctl.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.campaign.EvaluationMode;
import dev.campaignctl.core.rule.Explanation;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The rules that decide events, highest priority first: per campaign, the first matching rule pays
 * ({@code evaluation: first}) or every matching rule does ({@code all}), when the event falls in the
 * campaign's window. Budgets and caps are applied afterwards, by whoever holds their locks.
 */
public final class RuleSet {

    private static final Comparator<ActiveRule> ORDER = Comparator
            .comparingInt((ActiveRule r) -> -r.rule().priority())
            .thenComparingLong(r -> r.rule().id());

    private final ActiveRule[] rules;

    private RuleSet(List<ActiveRule> rules) {
        this.rules = rules.stream().sorted(ORDER).toArray(ActiveRule[]::new);
    }

    public static RuleSet of(List<ActiveRule> rules) {
        return new RuleSet(rules);
    }

    public List<ActiveRule> rules() {
        return List.of(rules);
    }

    /** A rule that matched and the points it would pay before any budget or cap. */
    public record Match(ActiveRule rule, BigDecimal points) {
    }

    public List<Match> evaluate(JsonNode document, Instant occurredAt, BigDecimal amount) {
        List<Match> matches = new ArrayList<>(2);
        for (ActiveRule active : rules) {
            if (active.campaign().evaluation() == EvaluationMode.FIRST && paid(matches, active.campaign().id())) {
                continue;
            }
            if (active.campaign().covers(occurredAt) && active.condition().matches(document)) {
                matches.add(new Match(active, active.rule().reward().pointsFor(amount)));
            }
        }
        return matches;
    }

    private static boolean paid(List<Match> matches, long campaignId) {
        for (Match match : matches) {
            if (match.rule().campaign().id() == campaignId) {
                return true;
            }
        }
        return false;
    }

    /** For explain: every rule's verdict, in evaluation order. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Verdict(
            long ruleId,
            long campaignId,
            String ruleName,
            int priority,
            boolean conditionsMatched,
            boolean inWindow,
            boolean pays,
            BigDecimal points,
            String note,
            Explanation explanation) {
    }

    public List<Verdict> explain(JsonNode document, Instant occurredAt, BigDecimal amount) {
        List<Verdict> verdicts = new ArrayList<>(rules.length);
        List<Match> paying = evaluate(document, occurredAt, amount);
        for (ActiveRule active : rules) {
            Explanation explanation = active.condition().explain(document);
            boolean window = active.campaign().covers(occurredAt);
            Match match = paying.stream().filter(m -> m.rule() == active).findFirst().orElse(null);
            String note = null;
            if (!window) {
                note = "event at " + occurredAt + " is outside campaign " + active.campaign().id() + "'s window";
            } else if (explanation.matched() && match == null) {
                note = "campaign " + active.campaign().id() + " already paid through a higher-priority rule (evaluation: first)";
            }
            verdicts.add(new Verdict(active.rule().id(), active.campaign().id(), active.rule().name(),
                    active.rule().priority(), explanation.matched(), window, match != null,
                    match == null ? null : match.points(), note, explanation));
        }
        return verdicts;
    }
}
