package dev.campaignctl.core.event;

import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.campaign.CampaignStore;
import dev.campaignctl.core.rule.ActiveRule;
import dev.campaignctl.core.rule.Conditions;
import dev.campaignctl.core.rule.Rule;
import dev.campaignctl.core.rule.RuleSet;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules of active campaigns, compiled once and kept until campaigns or rules change: a batch
 * costs one cheap version query instead of loading and compiling every rule again.
 */
final class RuleSetLoader {

    private static final String VERSION = "SELECT (SELECT coalesce(max(updated_at)::text, '') || ':' || count(*) FROM campaigns)"
            + " || ':' || (SELECT count(*) || ':' || coalesce(max(id), 0) FROM campaign_rules)";

    private String version;
    private RuleSet cached;

    synchronized RuleSet current(Connection connection) throws SQLException {
        String now = version(connection);
        if (!now.equals(version)) {
            cached = load(connection);
            version = now;
        }
        return cached;
    }

    private static String version(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(VERSION); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Active campaigns' rules; the campaign columns come prefixed with {@code c_}. */
    static RuleSet load(Connection connection) throws SQLException {
        StringBuilder campaignColumns = new StringBuilder();
        for (String column : CampaignStore.CAMPAIGN_COLUMNS.split(",\\s*")) {
            campaignColumns.append(", c.").append(column).append(" AS c_").append(column);
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT r.id, r.campaign_id, r.name, r.priority,"
                + " r.conditions::text AS conditions, r.reward_type, r.reward_value, r.created_at" + campaignColumns
                + " FROM campaign_rules r JOIN campaigns c ON c.id = r.campaign_id WHERE c.status = 'active'")) {
            List<ActiveRule> rules = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Rule rule = CampaignStore.rule(rs);
                    Campaign campaign = CampaignStore.campaign(rs, "c_");
                    rules.add(new ActiveRule(rule, Conditions.compile(rule.conditions()), campaign));
                }
            }
            return RuleSet.of(rules);
        }
    }
}
