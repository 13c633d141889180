package dev.campaignctl.core.event;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * What the rules decided for one event; {@link Limits} may still cut its payments. Of an event
 * refunded in part before it was processed, each match pays only the share of the amount that is
 * left ({@code withheld} is the rest, kept so later refunds reverse in proportion).
 */
final class Decision {
    final ClaimedEvent event;
    final List<RuleSet.Match> matches;
    final List<BigDecimal> paid;
    final List<BigDecimal> withheld;
    /** Per match: whether {@link Limits} added its payment to the campaign's budget_spent, and to the customer's capped spend. */
    final boolean[] budgetCounted;
    final boolean[] capCounted;
    String failure;
    String note;

    Decision(ClaimedEvent event, List<RuleSet.Match> matches) {
        this.event = event;
        this.matches = matches;
        this.paid = new ArrayList<>(matches.size());
        this.withheld = new ArrayList<>(matches.size());
        this.budgetCounted = new boolean[matches.size()];
        this.capCounted = new boolean[matches.size()];
        for (RuleSet.Match match : matches) {
            BigDecimal kept = withheld(match.points(), event.amount(), event.refunded());
            withheld.add(kept);
            paid.add(match.points().subtract(kept));
        }
    }

    /**
     * The share of {@code points} that {@code refunded} of {@code amount} takes back: in proportion,
     * rounded half up to 4 places, never more than the points (the rounding the README states).
     */
    static BigDecimal withheld(BigDecimal points, BigDecimal amount, BigDecimal refunded) {
        if (refunded == null || refunded.signum() <= 0 || amount.signum() <= 0) {
            return BigDecimal.ZERO;
        }
        return points.min(points.multiply(refunded).divide(amount, 4, RoundingMode.HALF_UP));
    }

    static Decision failed(ClaimedEvent event, String reason) {
        Decision decision = new Decision(event, List.of());
        decision.failure = reason;
        return decision;
    }

    EventStatus status() {
        if (failure != null) {
            return EventStatus.FAILED;
        }
        return firstPayingRule() != null ? EventStatus.PROCESSED : EventStatus.SKIPPED;
    }

    /** The highest-priority rule that pays; a zero-point reward still counts as paying. */
    Long firstPayingRule() {
        for (int i = 0; i < matches.size(); i++) {
            if (pays(i)) {
                return matches.get(i).rule().rule().id();
            }
        }
        return null;
    }

    boolean pays(int match) {
        return paid.get(match).signum() > 0 || matches.get(match).points().signum() == 0;
    }
}
