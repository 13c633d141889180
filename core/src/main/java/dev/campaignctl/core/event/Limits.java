package dev.campaignctl.core.event;

import dev.campaignctl.core.json.Decimals;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Budgets and per-customer caps, exact under any number of processors: the limited campaigns' rows
 * are locked (in id order, so processors never deadlock) before their spend is read, payments are
 * cut to what remains, and the new spend is written in the batch's transaction.
 */
final class Limits {

    private Limits() {
    }

    private record State(BigDecimal budgetTotal, BigDecimal budgetSpent, BigDecimal customerCap) {
    }

    static void apply(Connection connection, List<Decision> decisions) throws SQLException {
        Set<Long> limited = new TreeSet<>();
        Set<String> customers = new LinkedHashSet<>();
        for (Decision decision : decisions) {
            for (var match : decision.matches) {
                if (match.rule().campaign().hasLimits()) {
                    limited.add(match.rule().campaign().id());
                    if (decision.event.customerId() != null) {
                        customers.add(decision.event.customerId());
                    }
                }
            }
        }
        if (limited.isEmpty()) {
            return;
        }
        Map<Long, State> states = lock(connection, limited);
        Map<String, BigDecimal> customerSpent = customerSpend(connection, limited, customers);
        Map<Long, BigDecimal> budgetDelta = new HashMap<>();
        Map<String, BigDecimal> customerDelta = new HashMap<>();
        for (Decision decision : decisions) {
            for (int i = 0; i < decision.matches.size(); i++) {
                long campaign = decision.matches.get(i).rule().campaign().id();
                State state = states.get(campaign);
                if (state == null) {
                    continue;
                }
                BigDecimal wanted = decision.paid.get(i);
                BigDecimal allowed = wanted;
                String reason = null;
                if (state.budgetTotal() != null) {
                    BigDecimal left = state.budgetTotal().subtract(state.budgetSpent())
                            .subtract(budgetDelta.getOrDefault(campaign, BigDecimal.ZERO));
                    if (left.compareTo(allowed) < 0) {
                        allowed = left.max(BigDecimal.ZERO);
                        reason = "campaign " + campaign + " budget";
                    }
                }
                String customer = decision.event.customerId();
                String key = campaign + "\u0000" + customer;
                if (state.customerCap() != null && customer != null) {
                    BigDecimal left = state.customerCap().subtract(customerSpent.getOrDefault(key, BigDecimal.ZERO))
                            .subtract(customerDelta.getOrDefault(key, BigDecimal.ZERO));
                    if (left.compareTo(allowed) < 0) {
                        allowed = left.max(BigDecimal.ZERO);
                        reason = "campaign " + campaign + " per-customer cap for " + customer;
                    }
                }
                if (reason != null) {
                    decision.note = append(decision.note, allowed.signum() == 0
                            ? "rule " + decision.matches.get(i).rule().rule().id() + " matched but " + reason + " is exhausted"
                            : "rule " + decision.matches.get(i).rule().rule().id() + " paid " + Decimals.text(allowed)
                                    + " of " + Decimals.text(wanted) + ": " + reason + " reached");
                }
                decision.paid.set(i, allowed);
                budgetDelta.merge(campaign, allowed, BigDecimal::add);
                decision.budgetCounted[i] = true;
                if (state.customerCap() != null && customer != null) {
                    customerDelta.merge(key, allowed, BigDecimal::add);
                    decision.capCounted[i] = true;
                }
            }
        }
        write(connection, budgetDelta, customerDelta);
    }

    private static Map<Long, State> lock(Connection connection, Set<Long> campaigns) throws SQLException {
        Map<Long, State> states = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT id, budget_total, budget_spent, customer_cap"
                + " FROM campaigns WHERE id = ANY(?) ORDER BY id FOR UPDATE")) {
            ps.setArray(1, connection.createArrayOf("bigint", campaigns.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    states.put(rs.getLong(1), new State(rs.getBigDecimal(2), rs.getBigDecimal(3), rs.getBigDecimal(4)));
                }
            }
        }
        return states;
    }

    private static Map<String, BigDecimal> customerSpend(Connection connection, Set<Long> campaigns,
                                                         Set<String> customers) throws SQLException {
        Map<String, BigDecimal> spent = new HashMap<>();
        if (customers.isEmpty()) {
            return spent;
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT campaign_id, customer_id, spent"
                + " FROM campaign_customer_spend WHERE campaign_id = ANY(?) AND customer_id = ANY(?)")) {
            ps.setArray(1, connection.createArrayOf("bigint", campaigns.toArray()));
            ps.setArray(2, connection.createArrayOf("text", customers.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    spent.put(rs.getLong(1) + "\u0000" + rs.getString(2), rs.getBigDecimal(3));
                }
            }
        }
        return spent;
    }

    private static void write(Connection connection, Map<Long, BigDecimal> budgetDelta,
                              Map<String, BigDecimal> customerDelta) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE campaigns c SET budget_spent = c.budget_spent + d.delta"
                + " FROM unnest(?::bigint[], ?::numeric[]) AS d(id, delta) WHERE c.id = d.id")) {
            ps.setArray(1, connection.createArrayOf("bigint", budgetDelta.keySet().toArray()));
            ps.setArray(2, connection.createArrayOf("numeric", budgetDelta.values().toArray()));
            ps.executeUpdate();
        }
        if (customerDelta.isEmpty()) {
            return;
        }
        List<Object> campaigns = new ArrayList<>();
        List<Object> customers = new ArrayList<>();
        List<Object> amounts = new ArrayList<>();
        customerDelta.forEach((key, amount) -> {
            int split = key.indexOf('\u0000');
            campaigns.add(Long.parseLong(key.substring(0, split)));
            customers.add(key.substring(split + 1));
            amounts.add(amount);
        });
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO campaign_customer_spend"
                + " (campaign_id, customer_id, spent) SELECT * FROM unnest(?::bigint[], ?::text[], ?::numeric[])"
                + " ON CONFLICT (campaign_id, customer_id) DO UPDATE SET spent = campaign_customer_spend.spent + excluded.spent")) {
            ps.setArray(1, connection.createArrayOf("bigint", campaigns.toArray()));
            ps.setArray(2, connection.createArrayOf("text", customers.toArray()));
            ps.setArray(3, connection.createArrayOf("numeric", amounts.toArray()));
            ps.executeUpdate();
        }
    }

    private static String append(String note, String more) {
        return note == null ? more : note + "; " + more;
    }
}
