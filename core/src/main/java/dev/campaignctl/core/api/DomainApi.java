package dev.campaignctl.core.api;

import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.campaign.CampaignPatch;
import dev.campaignctl.core.campaign.CampaignStatus;
import dev.campaignctl.core.campaign.NewCampaign;
import dev.campaignctl.core.earning.Earning;
import dev.campaignctl.core.event.Backtest;
import dev.campaignctl.core.event.BatchResult;
import dev.campaignctl.core.event.Event;
import dev.campaignctl.core.event.EventExplanation;
import dev.campaignctl.core.event.EventStatus;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.event.Outcomes;
import dev.campaignctl.core.event.Registration;
import dev.campaignctl.core.idempotency.Created;
import dev.campaignctl.core.idempotency.IdempotencyKey;
import dev.campaignctl.core.idempotency.Outcome;
import dev.campaignctl.core.rule.NewRule;
import dev.campaignctl.core.rule.Rule;
import dev.campaignctl.core.ledger.Adjustment;
import dev.campaignctl.core.ledger.Balance;
import dev.campaignctl.core.ledger.LedgerEntry;
import dev.campaignctl.core.ledger.Redemption;
import dev.campaignctl.core.ledger.Refund;
import dev.campaignctl.core.ledger.VerifyReport;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The domain service's operations, the same whether it runs in this process ({@link LocalDomainApi})
 * or behind HTTP ({@link HttpDomainApi}). Failures are {@link ApiException}s in both.
 */
public interface DomainApi extends AutoCloseable {

    int DEFAULT_LIMIT = 100;
    int MAX_LIMIT = 10_000;
    /** A campaign's rules were listed whole before lists paged: up to the largest page, they still are. */
    int DEFAULT_RULES_LIMIT = MAX_LIMIT;

    Health health();

    default Campaign createCampaign(NewCampaign campaign) {
        return createCampaign(campaign, List.of(), null).value();
    }

    /** Creates a campaign with its rules atomically: a rule that fails validation means no campaign. */
    default Campaign createCampaign(NewCampaign campaign, List<NewRule> rules) {
        return createCampaign(campaign, rules, null).value();
    }

    /**
     * Creates a campaign with its rules under an Idempotency-Key (null for none): the same request
     * with the same key again gets the first answer, replayed; another request with it is a conflict.
     */
    Created<Campaign> createCampaign(NewCampaign campaign, List<NewRule> rules, IdempotencyKey key);

    /** Counts per status and the earnings of the given events (at most 10,000 ids). */
    Outcomes outcomes(List<Long> eventIds);

    /** The first {@code limit} campaigns by id. */
    default List<Campaign> listCampaigns(CampaignStatus status, int limit) {
        return listCampaigns(status, limit, null).items();
    }

    /** Campaigns by id, after the campaign {@code startingAfter} (null: from the first). */
    Page<Campaign> listCampaigns(CampaignStatus status, int limit, Long startingAfter);

    Campaign getCampaign(long id);

    Campaign updateCampaign(long id, CampaignPatch patch);

    default Rule addRule(long campaignId, NewRule rule) {
        return addRule(campaignId, rule, null).value();
    }

    /** Adds a rule under an Idempotency-Key (null for none), as {@link #createCampaign(NewCampaign, List, IdempotencyKey)}. */
    Created<Rule> addRule(long campaignId, NewRule rule, IdempotencyKey key);

    /** Every rule of a campaign, highest priority first, read page by page. */
    default List<Rule> listRules(long campaignId) {
        List<Rule> rules = new ArrayList<>();
        for (Page<Rule> page = listRules(campaignId, MAX_LIMIT, null); ; page = page.next()) {
            rules.addAll(page.items());
            if (!page.hasNext()) {
                return rules;
            }
        }
    }

    /**
     * A campaign's rules in evaluation order (highest priority first, then by id), after the rule
     * {@code startingAfter} in that order (null: from the first); the cursor must be one of the
     * campaign's rules.
     */
    Page<Rule> listRules(long campaignId, int limit, Long startingAfter);

    default Registration registerEvent(NewEvent event) {
        Created<Event> created = registerEvent(event, null);
        return new Registration(created.value(), created.existing());
    }

    /**
     * Registers an event under an Idempotency-Key (null for none), as
     * {@link #createCampaign(NewCampaign, List, IdempotencyKey)}. A known external_id is answered
     * with the stored event and {@link Outcome#EXISTING}, key or not.
     */
    Created<Event> registerEvent(NewEvent event, IdempotencyKey key);

    Event getEvent(long id);

    /** Registers many events at once; invalid ones never reach this method (see EventBatch). */
    BatchResult registerEvents(List<NewEvent> events);

    /** Why a stored event earned or not, under the rules as they are now. */
    EventExplanation explainEvent(long id);

    /** What the current rules would do with an event that is not stored; nothing is stored. */
    EventExplanation explainEvent(NewEvent event);

    /** Replays stored events against draft rules; nothing is stored. */
    Backtest.Report backtest(Backtest.Request request);

    /** The newest {@code limit} events. */
    default List<Event> listEvents(EventStatus status, int limit) {
        return listEvents(status, limit, null).items();
    }

    /** Events newest first, older than the event {@code startingAfter} (null: from the newest). */
    Page<Event> listEvents(EventStatus status, int limit, Long startingAfter);

    /** The first {@code limit} earnings by id. */
    default List<Earning> listEarnings(Long campaignId, String customerId, int limit) {
        return listEarnings(campaignId, customerId, limit, null).items();
    }

    /** Earnings by id, after the earning {@code startingAfter} (null: from the first). */
    Page<Earning> listEarnings(Long campaignId, String customerId, int limit, Long startingAfter);

    /** A customer's points (zero for a customer with none). */
    Balance balance(String customerId);

    /** A customer's ledger entries, newest first; {@code startingAfter} is the last id of the previous page. */
    Page<LedgerEntry> ledger(String customerId, int limit, Long startingAfter);

    /** Spends points (never below zero: {@code insufficient_points} otherwise), under an optional Idempotency-Key. */
    Created<Redemption> redeem(String customerId, BigDecimal points, String reason, String externalId, IdempotencyKey key);

    /** Cancels a redemption; a second call changes nothing. */
    Redemption reverseRedemption(long redemptionId);

    /** Refunds (part of) a purchase: its earnings reversed in proportion (all that is left when amount is null). */
    Created<Refund> refund(long eventId, BigDecimal amount, String reason, IdempotencyKey key);

    /** A manual change of a customer's points, with its reason. */
    Adjustment adjust(String customerId, BigDecimal points, String reason);

    /** Expires the lots due at {@code now}; returns the number of customers whose points expired. */
    int expirePoints(Instant now);

    /** Recomputes every balance and lot from the entries. */
    VerifyReport verifyLedger();

    /** Where this API talks to: a URL, or a description of the embedded database. */
    String endpoint();

    @Override
    void close();

    static int checkLimit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.invalid("limit", "must be 1 to " + MAX_LIMIT + ", got " + limit);
        }
        return limit;
    }
}
