package dev.campaignctl.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.json.Decimals;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Dry-runs the current rules on one event and explains the result; writes nothing. */
public final class Explainer {

    private final DataSource dataSource;

    public Explainer(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public EventExplanation explain(NewEvent event) {
        Instant occurredAt = event.occurredAt() == null ? Instant.now() : event.occurredAt();
        return explain(EventDocument.of(event, occurredAt), occurredAt, event.amount(), event.customerId(), null);
    }

    public EventExplanation explain(Event stored) {
        return explain(EventDocument.of(stored), stored.occurredAt(), stored.amount(), stored.customerId(), stored);
    }

    private EventExplanation explain(JsonNode document, Instant occurredAt, BigDecimal amount, String customer, Event stored) {
        // JDBC: runs the processor's own rule loading and limit checks (RuleSetLoader, Limits), which are JDBC.
        return Jdbc.call(dataSource, connection -> {
            RuleSet rules = RuleSetLoader.load(connection);
            List<RuleSet.Verdict> verdicts = new ArrayList<>();
            Long matched = null;
            for (RuleSet.Verdict verdict : rules.explain(document, occurredAt, amount)) {
                if (verdict.pays()) {
                    verdict = limited(connection, verdict, customer);
                }
                if (verdict.pays() && matched == null) {
                    matched = verdict.ruleId();
                }
                verdicts.add(verdict);
            }
            return new EventExplanation(document, matched == null ? EventStatus.SKIPPED : EventStatus.PROCESSED, matched,
                    verdicts, stored == null ? null : stored.status(), stored == null ? null : stored.matchedRuleId(),
                    refunds(connection, stored));
        });
    }

    private static EventExplanation.Refunds refunds(Connection connection, Event stored) throws SQLException {
        if (stored == null) {
            return null;
        }
        if (stored.refersTo() != null) {
            return new EventExplanation.Refunds(stored.amount(), null, stored.refersTo());
        }
        if (stored.refunded() == null || stored.refunded().signum() == 0) {
            return null;
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT coalesce(sum(reversed_points), 0) FROM refunds WHERE event_id = ?")) {
            ps.setLong(1, stored.id());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new EventExplanation.Refunds(stored.refunded(), Decimals.plain(rs.getBigDecimal(1)), null);
            }
        }
    }

    /** The verdict after the campaign's remaining budget and the customer's remaining cap, as they stand now. */
    private static RuleSet.Verdict limited(Connection connection, RuleSet.Verdict verdict, String customer) throws SQLException {
        BigDecimal points = verdict.points();
        List<String> reasons = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT c.budget_total - c.budget_spent,"
                + " c.customer_cap - coalesce((SELECT s.spent FROM campaign_customer_spend s"
                + " WHERE s.campaign_id = c.id AND s.customer_id = ?), 0) FROM campaigns c WHERE c.id = ?")) {
            ps.setString(1, customer);
            ps.setLong(2, verdict.campaignId());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    BigDecimal budgetLeft = rs.getBigDecimal(1);
                    BigDecimal capLeft = customer == null ? null : rs.getBigDecimal(2);
                    if (budgetLeft != null && budgetLeft.compareTo(points) < 0) {
                        points = budgetLeft.max(BigDecimal.ZERO);
                        reasons.add("campaign budget has " + Decimals.text(budgetLeft) + " left");
                    }
                    if (capLeft != null && capLeft.compareTo(points) < 0) {
                        points = capLeft.max(BigDecimal.ZERO);
                        reasons.add("customer " + customer + " has " + Decimals.text(capLeft) + " left under the cap");
                    }
                }
            }
        }
        if (reasons.isEmpty()) {
            return verdict;
        }
        points = Decimals.plain(points);
        boolean pays = points.signum() > 0;
        String note = (pays ? "would pay " + Decimals.text(points) + " of " + Decimals.text(verdict.points()) + ": "
                : "pays nothing: ") + String.join("; ", reasons);
        return new RuleSet.Verdict(verdict.ruleId(), verdict.campaignId(), verdict.ruleName(), verdict.priority(),
                verdict.conditionsMatched(), verdict.inWindow(), pays, points, note, verdict.explanation());
    }
}
