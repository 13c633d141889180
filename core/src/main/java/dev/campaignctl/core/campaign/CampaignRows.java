package dev.campaignctl.core.campaign;

import dev.campaignctl.core.db.Row;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.Reward;
import dev.campaignctl.core.rule.RewardType;
import dev.campaignctl.core.rule.Rule;
import java.sql.SQLException;

/**
 * The one mapping of campaign and rule rows, for the store (through DbClient) and for the
 * processor's and the backtest's joins (through JDBC) alike.
 */
public final class CampaignRows {

    /** The campaign columns, for queries that select campaigns (prefix each for a join). */
    public static final String CAMPAIGN_COLUMNS = "id, name, description, status, starts_at, ends_at, evaluation,"
            + " budget_total, budget_spent, customer_cap, created_at, updated_at, points_valid_for";
    /** The rule columns, for queries that select rules. */
    public static final String RULE_COLUMNS =
            "id, campaign_id, name, priority, conditions::text AS conditions, reward_type, reward_value, created_at";

    private CampaignRows() {
    }

    public static Campaign campaign(Row row) throws SQLException {
        return new Campaign(row.longValue("id"), row.string("name"), row.string("description"),
                CampaignStatus.parse("status", row.string("status")),
                row.instant("starts_at"), row.instant("ends_at"),
                EvaluationMode.parse("evaluation", row.string("evaluation")),
                row.decimal("budget_total"), row.decimal("budget_spent"), row.decimal("customer_cap"),
                row.instant("created_at"), row.instant("updated_at"), row.string("points_valid_for"));
    }

    public static Rule rule(Row row) throws SQLException {
        return new Rule(row.longValue("id"), row.longValue("campaign_id"), row.string("name"), row.intValue("priority"),
                Json.tree(row.string("conditions")),
                new Reward(RewardType.parse("reward_type", row.string("reward_type")), row.decimal("reward_value")),
                row.instant("created_at"));
    }
}
