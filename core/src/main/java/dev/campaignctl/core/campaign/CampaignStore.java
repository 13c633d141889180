package dev.campaignctl.core.campaign;

import static dev.campaignctl.core.campaign.CampaignRows.CAMPAIGN_COLUMNS;
import static dev.campaignctl.core.campaign.CampaignRows.RULE_COLUMNS;

import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.db.Db;
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
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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
    private static final String LIST = "SELECT " + CAMPAIGN_COLUMNS
            + " FROM campaigns WHERE (?::text IS NULL OR status = ?) AND id > ? ORDER BY id LIMIT ?";
    private static final String RULES = "SELECT " + RULE_COLUMNS
            + " FROM campaign_rules WHERE campaign_id = ? ORDER BY priority DESC, id LIMIT ?";
    private static final String RULE_PRIORITY = "SELECT priority FROM campaign_rules WHERE id = ? AND campaign_id = ?";
    private static final String RULES_AFTER = "SELECT " + RULE_COLUMNS + " FROM campaign_rules"
            + " WHERE campaign_id = ? AND (priority, -id) < (?, -?) ORDER BY priority DESC, id LIMIT ?";

    private final Db db;

    public CampaignStore(Db db) {
        this.db = db;
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
        String wire = status == null ? null : status.wire();
        return db.execute(exec -> Db.list(exec.createNamedQuery("campaign.list", LIST)
                .params(Arrays.asList(wire, wire, startingAfter == null ? 0L : startingAfter, limit))
                .execute(), CampaignRows::campaign));
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
     * A campaign's rules in evaluation order (priority descending, then id), those after the rule
     * {@code startingAfter} in that order (null: from the first), at most {@code limit}. The cursor
     * is a rule of this campaign: its current priority places it, so the order needs no second key.
     */
    public List<Rule> rules(long campaignId, int limit, Long startingAfter) {
        return db.execute(exec -> {
            find(exec, campaignId, false);
            if (startingAfter == null) {
                return Db.list(exec.createNamedQuery("rule.list", RULES)
                        .params(Arrays.asList(campaignId, limit)).execute(), CampaignRows::rule);
            }
            int priority = exec.createNamedGet("rule.priority", RULE_PRIORITY)
                    .params(Arrays.asList(startingAfter, campaignId))
                    .execute()
                    .orElseThrow(() -> ApiException.invalid("starting_after", "must be the id of one of campaign "
                            + campaignId + "'s rules, got " + startingAfter))
                    .column(1).getInt();
            return Db.list(exec.createNamedQuery("rule.list-after", RULES_AFTER)
                    .params(Arrays.asList(campaignId, priority, startingAfter, limit)).execute(), CampaignRows::rule);
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

    /** A point in time as a TIMESTAMPTZ parameter (the driver takes no {@link Instant}). */
    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Campaign find(DbExecute exec, long id, boolean forUpdate) throws SQLException {
        DbRow row = exec.createNamedGet(forUpdate ? "campaign.get-for-update" : "campaign.get", forUpdate ? GET_FOR_UPDATE : GET)
                .addParam(id)
                .execute()
                .orElseThrow(() -> ApiException.notFound("campaign", id));
        return CampaignRows.campaign(Row.of(row));
    }
}
