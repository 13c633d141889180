package dev.campaignctl.core.campaign;

import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.idempotency.Created;
import dev.campaignctl.core.idempotency.IdempotencyKeys;
import dev.campaignctl.core.idempotency.IdempotentRequest;
import dev.campaignctl.core.idempotency.Outcome;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.NewRule;
import dev.campaignctl.core.rule.Reward;
import dev.campaignctl.core.rule.RewardType;
import dev.campaignctl.core.rule.Rule;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Campaigns and their rules in PostgreSQL. */
public final class CampaignStore {

    /** The campaign columns, for queries that join campaigns as {@code c}. */
    public static final String CAMPAIGN_COLUMNS = "id, name, description, status, starts_at, ends_at, evaluation,"
            + " budget_total, budget_spent, customer_cap, created_at, updated_at, points_valid_for";
    private static final String RULE_COLUMNS =
            "id, campaign_id, name, priority, conditions::text AS conditions, reward_type, reward_value, created_at";

    private final DataSource dataSource;

    public CampaignStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Campaign create(NewCampaign c) {
        return createWithRules(c, List.of());
    }

    /** Creates a campaign and its rules in one transaction: all of them, or nothing. */
    public Campaign createWithRules(NewCampaign c, List<NewRule> rules) {
        return createWithRules(c, rules, null).value();
    }

    /** The same in one transaction with the request's Idempotency-Key (null for none); see {@link IdempotencyKeys}. */
    public Created<Campaign> createWithRules(NewCampaign c, List<NewRule> rules, IdempotentRequest request) {
        return IdempotencyKeys.transaction(dataSource, request, Campaign.class, connection -> {
            bumpRuleSetVersion(connection);
            Campaign campaign;
            try (PreparedStatement ps = connection.prepareStatement(
                    "INSERT INTO campaigns (name, description, status, starts_at, ends_at, evaluation, budget_total,"
                            + " customer_cap, points_valid_for) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING " + CAMPAIGN_COLUMNS)) {
                ps.setString(1, c.name());
                ps.setString(2, c.description());
                ps.setString(3, c.status().wire());
                Jdbc.setInstant(ps, 4, c.startsAt());
                Jdbc.setInstant(ps, 5, c.endsAt());
                ps.setString(6, c.evaluation().wire());
                ps.setBigDecimal(7, c.budgetTotal());
                ps.setBigDecimal(8, c.customerCap());
                ps.setString(9, c.pointsValidFor());
                campaign = single(ps);
            }
            for (NewRule rule : rules) {
                insertRule(connection, campaign.id(), rule);
            }
            return new Created<>(campaign, Outcome.CREATED);
        });
    }

    public Campaign get(long id) {
        return Jdbc.call(dataSource, connection -> find(connection, id, false));
    }

    /** Campaigns by id, those after {@code startingAfter} (null: from the first), at most {@code limit}. */
    public List<Campaign> list(CampaignStatus status, int limit, Long startingAfter) {
        return Jdbc.call(dataSource, connection -> {
            try (PreparedStatement ps = connection.prepareStatement("SELECT " + CAMPAIGN_COLUMNS
                    + " FROM campaigns WHERE (?::text IS NULL OR status = ?) AND id > ? ORDER BY id LIMIT ?")) {
                String wire = status == null ? null : status.wire();
                ps.setString(1, wire);
                ps.setString(2, wire);
                ps.setLong(3, startingAfter == null ? 0 : startingAfter);
                ps.setInt(4, limit);
                List<Campaign> result = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(campaign(rs));
                    }
                }
                return result;
            }
        });
    }

    public Campaign update(long id, CampaignPatch patch) {
        return Jdbc.transaction(dataSource, connection -> {
            bumpRuleSetVersion(connection);
            Campaign next = patch.applyTo(find(connection, id, true));
            try (PreparedStatement ps = connection.prepareStatement("UPDATE campaigns SET name = ?, description = ?,"
                    + " status = ?, starts_at = ?, ends_at = ?, evaluation = ?, budget_total = ?, customer_cap = ?,"
                    + " points_valid_for = ?, updated_at = now() WHERE id = ? RETURNING " + CAMPAIGN_COLUMNS)) {
                ps.setString(1, next.name());
                ps.setString(2, next.description());
                ps.setString(3, next.status().wire());
                Jdbc.setInstant(ps, 4, next.startsAt());
                Jdbc.setInstant(ps, 5, next.endsAt());
                ps.setString(6, next.evaluation().wire());
                ps.setBigDecimal(7, next.budgetTotal());
                ps.setBigDecimal(8, next.customerCap());
                ps.setString(9, next.pointsValidFor());
                ps.setLong(10, id);
                return single(ps);
            }
        });
    }

    public Rule addRule(long campaignId, NewRule rule) {
        return addRule(campaignId, rule, null).value();
    }

    /** The same in one transaction with the request's Idempotency-Key (null for none); see {@link IdempotencyKeys}. */
    public Created<Rule> addRule(long campaignId, NewRule rule, IdempotentRequest request) {
        return IdempotencyKeys.transaction(dataSource, request, Rule.class, connection -> {
            bumpRuleSetVersion(connection);
            Campaign campaign = find(connection, campaignId, true);
            if (campaign.status() == CampaignStatus.ENDED) {
                throw ApiException.conflict("campaign_id", "campaign " + campaignId + " is ended; rules can no longer be added");
            }
            return new Created<>(insertRule(connection, campaignId, rule), Outcome.CREATED);
        });
    }

    /**
     * Takes the rule-set counter first (see V3__rule_set_version.sql): the change then commits
     * wholly before or wholly after any processor batch, and, taken before any campaign row, it
     * cannot deadlock with a batch that holds the counter and waits for a campaign row.
     */
    private static void bumpRuleSetVersion(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE rule_set_version SET version = version + 1")) {
            ps.executeUpdate();
        }
    }

    private static Rule insertRule(Connection connection, long campaignId, NewRule rule) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO campaign_rules"
                + " (campaign_id, name, priority, conditions, reward_type, reward_value)"
                + " VALUES (?, ?, ?, ?::jsonb, ?, ?) RETURNING " + RULE_COLUMNS)) {
            ps.setLong(1, campaignId);
            ps.setString(2, rule.name());
            ps.setInt(3, rule.priority());
            ps.setString(4, Json.write(rule.conditions()));
            ps.setString(5, rule.reward().type().wire());
            ps.setBigDecimal(6, rule.reward().value());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rule(rs);
            }
        }
    }

    /**
     * A campaign's rules in evaluation order (priority descending, then id), those after the rule
     * {@code startingAfter} in that order (null: from the first), at most {@code limit}. The cursor
     * is a rule of this campaign: its current priority places it, so the order needs no second key.
     */
    public List<Rule> rules(long campaignId, int limit, Long startingAfter) {
        return Jdbc.call(dataSource, connection -> {
            find(connection, campaignId, false);
            Integer priority = startingAfter == null ? null : priorityOf(connection, campaignId, startingAfter);
            try (PreparedStatement ps = connection.prepareStatement("SELECT " + RULE_COLUMNS
                    + " FROM campaign_rules WHERE campaign_id = ? AND (?::integer IS NULL OR (priority, -id) < (?, -?))"
                    + " ORDER BY priority DESC, id LIMIT ?")) {
                ps.setLong(1, campaignId);
                ps.setObject(2, priority, Types.INTEGER);
                ps.setObject(3, priority, Types.INTEGER);
                ps.setLong(4, startingAfter == null ? 0 : startingAfter);
                ps.setInt(5, limit);
                return rules(ps);
            }
        });
    }

    /** The priority of a campaign's rule named by a cursor; another campaign's rule or none is a 400. */
    private static int priorityOf(Connection connection, long campaignId, long ruleId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT priority FROM campaign_rules WHERE id = ? AND campaign_id = ?")) {
            ps.setLong(1, ruleId);
            ps.setLong(2, campaignId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.invalid("starting_after", "must be the id of one of campaign " + campaignId
                            + "'s rules, got " + ruleId);
                }
                return rs.getInt(1);
            }
        }
    }

    static List<Rule> rules(PreparedStatement ps) throws SQLException {
        List<Rule> result = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                result.add(rule(rs));
            }
        }
        return result;
    }

    private static Campaign find(Connection connection, long id, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT " + CAMPAIGN_COLUMNS
                + " FROM campaigns WHERE id = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("campaign", id);
                }
                return campaign(rs);
            }
        }
    }

    private static Campaign single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return campaign(rs);
        }
    }

    /** Maps a row holding the campaign columns under their plain names. */
    public static Campaign campaign(ResultSet rs) throws SQLException {
        return campaign(rs, "");
    }

    /** Maps a row holding the campaign columns, each name prefixed (for joins). */
    public static Campaign campaign(ResultSet rs, String prefix) throws SQLException {
        return new Campaign(rs.getLong(prefix + "id"), rs.getString(prefix + "name"), rs.getString(prefix + "description"),
                CampaignStatus.parse("status", rs.getString(prefix + "status")),
                Jdbc.instant(rs, prefix + "starts_at"), Jdbc.instant(rs, prefix + "ends_at"),
                EvaluationMode.parse("evaluation", rs.getString(prefix + "evaluation")),
                Jdbc.decimal(rs, prefix + "budget_total"), Jdbc.decimal(rs, prefix + "budget_spent"),
                Jdbc.decimal(rs, prefix + "customer_cap"),
                Jdbc.instant(rs, prefix + "created_at"), Jdbc.instant(rs, prefix + "updated_at"),
                rs.getString(prefix + "points_valid_for"));
    }

    /** Maps a row holding the rule columns; shared with the processor. */
    public static Rule rule(ResultSet rs) throws SQLException {
        return new Rule(rs.getLong("id"), rs.getLong("campaign_id"), rs.getString("name"), rs.getInt("priority"),
                Json.tree(rs.getString("conditions")),
                new Reward(RewardType.parse("reward_type", rs.getString("reward_type")),
                        Jdbc.decimal(rs, "reward_value")),
                Jdbc.instant(rs, "created_at"));
    }
}
