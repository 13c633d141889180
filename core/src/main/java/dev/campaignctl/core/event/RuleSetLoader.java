package dev.campaignctl.core.event;

import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.campaign.CampaignRows;
import dev.campaignctl.core.db.Row;
import dev.campaignctl.core.rule.Conditions;
import dev.campaignctl.core.rule.Rule;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules of active campaigns, compiled once and kept until campaigns or rules change: a batch
 * costs one version query instead of loading and compiling every rule again.
 *
 * <p>The version is the counter of {@code rule_set_version}, read {@code FOR SHARE} after the batch
 * is claimed: every change to campaigns or rules takes that row exclusively in its own transaction,
 * so it committed before the lock was granted (and this statement and the load after it see it)
 * or it waits until the batch commits. A batch's events are thus decided on rules no older than
 * its claim, and campaigns cannot be paused or given budgets in the middle of a batch.
 */
final class RuleSetLoader {

    private static final String VERSION = "SELECT version FROM rule_set_version FOR SHARE";

    private long version = -1;
    private RuleSet cached;

    /** The rule set in force for the calling transaction; holds the version's share lock until it ends. */
    synchronized RuleSet current(Connection connection) throws SQLException {
        // JDBC: the share lock must be taken inside the processor's claim transaction, which is JDBC.
        long now = version(connection);
        if (now != version) {
            cached = load(connection);
            version = now;
        }
        return cached;
    }

    private static long version(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(VERSION); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new IllegalStateException("rule_set_version has no row: the schema was changed by hand");
            }
            return rs.getLong(1);
        }
    }

    /** Active campaigns' rules; the campaign columns come prefixed with {@code c_}. */
    static RuleSet load(Connection connection) throws SQLException {
        StringBuilder campaignColumns = new StringBuilder();
        for (String column : CampaignRows.CAMPAIGN_COLUMNS.split(",\\s*")) {
            campaignColumns.append(", c.").append(column).append(" AS c_").append(column);
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT r.id, r.campaign_id, r.name, r.priority,"
                + " r.conditions::text AS conditions, r.reward_type, r.reward_value, r.created_at" + campaignColumns
                + " FROM campaign_rules r JOIN campaigns c ON c.id = r.campaign_id WHERE c.status = 'active'")) {
            List<ActiveRule> rules = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Rule rule = CampaignRows.rule(Row.of(rs));
                    Campaign campaign = CampaignRows.campaign(Row.of(rs, "c_"));
                    rules.add(new ActiveRule(rule, Conditions.compile(rule.conditions()), campaign));
                }
            }
            return RuleSet.of(rules);
        }
    }
}
