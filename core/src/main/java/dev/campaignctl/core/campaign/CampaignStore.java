package dev.campaignctl.core.campaign;

import static dev.campaignctl.core.campaign.CampaignRows.CAMPAIGN_COLUMNS;
import static dev.campaignctl.core.campaign.CampaignRows.RULE_COLUMNS;

import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.db.Db;
import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.db.Row;
import dev.campaignctl.core.idempotency.Created;
import dev.campaignctl.core.idempotency.IdempotencyKeys;
import dev.campaignctl.core.idempotency.IdempotentRequest;
import dev.campaignctl.core.idempotency.Outcome;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.NewRule;
import dev.campaignctl.core.rule.Rule;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;

/**
 * Campaigns and their rules in PostgreSQL, through Helidon DbClient. Every change takes the
 * rule-set counter first, in the change's own transaction (see V3__rule_set_version.sql).
 */
public final class CampaignStore {

    private static final String BUMP_RULE_SET_VERSION = "UPDATE rule_set_version SET version = version + 1";
    private static final String INSERT = "INSERT INTO campaigns (name, description, status, starts_at, ends_at,"
            + " evaluation, budget_total, customer_cap, points_valid_for) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " RETURNING " + CAMPAIGN_COLUMNS;
    private static final String GET = "SELECT " + CAMPAIGN_COLUMNS + " FROM campaigns WHERE id = ?";
    private static final String GET_FOR_UPDATE = GET + " FOR UPDATE";
    private static final String UPDATE = "UPDATE campaigns SET name = ?, description = ?, status = ?, starts_at = ?,"
            + " ends_at = ?, evaluation = ?, budget_total = ?, customer_cap = ?, points_valid_for = ?,"
            + " updated_at = now() WHERE id = ? RETURNING " + CAMPAIGN_COLUMNS;
    private static final String INSERT_RULE = "INSERT INTO campaign_rules"
            + " (campaign_id, name, priority, conditions, reward_type, reward_value)"
            + " VALUES (?, ?, ?, ?::jsonb, ?, ?) RETURNING " + RULE_COLUMNS;
    private static final String RULES = "SELECT " + RULE_COLUMNS
            + " FROM campaign_rules WHERE campaign_id = ? AND (?::integer IS NULL OR (priority, -id) < (?, -?))"
            + " ORDER BY priority DESC, id LIMIT ?";
    private static final String RULE_PRIORITY = "SELECT priority FROM campaign_rules WHERE id = ? AND campaign_id = ?";

    private final Db db;
    private final DataSource dataSource;

    public CampaignStore(Db db) {
        this.db = db;
        this.dataSource = db.dataSource();
    }

    public CampaignStore(DataSource dataSource) {
        this(Db.over(dataSource));
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
        return IdempotencyKeys.transaction(db, request, Campaign.class, tx -> {
            bumpRuleSetVersion(tx.db());
            Campaign campaign = CampaignRows.campaign(Row.of(tx.db().createNamedGet("campaign.insert", INSERT)
                    .params(Arrays.asList(c.name(), c.description(), c.status().wire(), time(c.startsAt()),
                            time(c.endsAt()), c.evaluation().wire(), c.budgetTotal(),
                            c.customerCap(), c.pointsValidFor()))
                    .execute().orElseThrow()));
            for (NewRule rule : rules) {
                insertRule(tx.db(), campaign.id(), rule);
            }
            return new Created<>(campaign, Outcome.CREATED);
        });
    }

    public Campaign get(long id) {
        return db.execute(exec -> find(exec, id, false));
    }

    /** Campaigns by id, those after {@code startingAfter} (null: from the first), at most {@code limit}. */
    public List<Campaign> list(CampaignStatus status, int limit, Long startingAfter) {
        // Not yet on DbClient: an ordinary statement, left out of the move while its pagination was written.
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
        return db.transaction(tx -> {
            bumpRuleSetVersion(tx.db());
            Campaign next = patch.applyTo(find(tx.db(), id, true));
            return CampaignRows.campaign(Row.of(tx.db().createNamedGet("campaign.update", UPDATE)
                    .params(Arrays.asList(next.name(), next.description(), next.status().wire(),
                            time(next.startsAt()), time(next.endsAt()), next.evaluation().wire(),
                            next.budgetTotal(), next.customerCap(),
                            next.pointsValidFor(), id))
                    .execute().orElseThrow()));
        });
    }

    public Rule addRule(long campaignId, NewRule rule) {
        return addRule(campaignId, rule, null).value();
    }

    /** The same in one transaction with the request's Idempotency-Key (null for none); see {@link IdempotencyKeys}. */
    public Created<Rule> addRule(long campaignId, NewRule rule, IdempotentRequest request) {
        return IdempotencyKeys.transaction(db, request, Rule.class, tx -> {
            bumpRuleSetVersion(tx.db());
            Campaign campaign = find(tx.db(), campaignId, true);
            if (campaign.status() == CampaignStatus.ENDED) {
                throw ApiException.conflict("campaign_id", "campaign " + campaignId + " is ended; rules can no longer be added");
            }
            return new Created<>(insertRule(tx.db(), campaignId, rule), Outcome.CREATED);
        });
    }

    /**
     * Takes the rule-set counter first (see V3__rule_set_version.sql): the change then commits
     * wholly before or wholly after any processor batch, and, taken before any campaign row, it
     * cannot deadlock with a batch that holds the counter and waits for a campaign row.
     */
    private static void bumpRuleSetVersion(DbExecute tx) {
        tx.createNamedUpdate("rule-set-version.bump", BUMP_RULE_SET_VERSION).execute();
    }

    private static Rule insertRule(DbExecute tx, long campaignId, NewRule rule) throws SQLException {
        return CampaignRows.rule(Row.of(tx.createNamedGet("rule.insert", INSERT_RULE)
                .params(Arrays.asList(campaignId, rule.name(), rule.priority(), Json.write(rule.conditions()),
                        rule.reward().type().wire(), rule.reward().value()))
                .execute().orElseThrow()));
    }

    /**
     * A campaign's rules in evaluation order (priority descending, then id), those after the rule
     * {@code startingAfter} in that order (null: from the first), at most {@code limit}. The cursor
     * is a rule of this campaign: its current priority places it, so the order needs no second key.
     */
    public List<Rule> rules(long campaignId, int limit, Long startingAfter) {
        return db.execute(exec -> {
            find(exec, campaignId, false);
            Integer priority = startingAfter == null ? null : priorityOf(exec, campaignId, startingAfter);
            return Db.list(exec.createNamedQuery("rule.list", RULES)
                    .params(Arrays.asList(campaignId, priority, priority, startingAfter == null ? 0L : startingAfter, limit))
                    .execute(), CampaignRows::rule);
        });
    }

    /** The priority of a campaign's rule named by a cursor; another campaign's rule or none is a 400. */
    private static int priorityOf(DbExecute exec, long campaignId, long ruleId) throws SQLException {
        DbRow row = exec.createNamedGet("rule.priority", RULE_PRIORITY).addParam(ruleId).addParam(campaignId).execute()
                .orElseThrow(() -> ApiException.invalid("starting_after", "must be the id of one of campaign "
                        + campaignId + "'s rules, got " + ruleId));
        return Row.of(row).intValue("priority");
    }

    /** A point in time as a TIMESTAMPTZ parameter (the driver takes no {@link Instant}). */
    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** For the listing, still on JDBC. */
    private static Campaign campaign(ResultSet rs) throws SQLException {
        return CampaignRows.campaign(Row.of(rs));
    }

    private static Campaign find(DbExecute exec, long id, boolean forUpdate) throws SQLException {
        DbRow row = exec.createNamedGet(forUpdate ? "campaign.get-for-update" : "campaign.get", forUpdate ? GET_FOR_UPDATE : GET)
                .addParam(id)
                .execute()
                .orElseThrow(() -> ApiException.notFound("campaign", id));
        return CampaignRows.campaign(Row.of(row));
    }
}
