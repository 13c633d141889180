package dev.campaignctl.core.event;

import dev.campaignctl.core.rule.RuleSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The processor's pure part: which rules pay for each claimed purchase, given one rule snapshot.
 * No database and no clock; budgets and caps ({@link Limits}) and writing ({@link EventQueue})
 * come after. An event whose evaluation throws is decided {@code failed} alone.
 */
final class Decider {

    private Decider() {
    }

    static List<Decision> decide(List<ClaimedEvent> purchases, RuleSet rules) {
        List<Decision> decisions = new ArrayList<>(purchases.size());
        for (ClaimedEvent event : purchases) {
            decisions.add(decide(event, rules));
        }
        return decisions;
    }

    static Decision decide(ClaimedEvent event, RuleSet rules) {
        try {
            return new Decision(event, rules.evaluate(event.document(), event.occurredAt(), event.amount()));
        } catch (RuntimeException | StackOverflowError e) {
            // A rule over a pathological document must not fail its batch neighbours.
            return Decision.failed(event, "evaluation failed: " + Failures.describe(e));
        }
    }

    static EventProcessor.Outcome outcome(List<Decision> decisions) {
        int processed = 0;
        int skipped = 0;
        int failed = 0;
        for (Decision decision : decisions) {
            switch (decision.status()) {
                case PROCESSED -> processed++;
                case SKIPPED -> skipped++;
                default -> failed++;
            }
        }
        return new EventProcessor.Outcome(decisions.size(), processed, skipped, failed);
    }
}
