package dev.campaignctl.core.api;

import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.campaign.CampaignPatch;
import dev.campaignctl.core.campaign.CampaignStatus;
import dev.campaignctl.core.campaign.CampaignStore;
import dev.campaignctl.core.campaign.NewCampaign;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.earning.Earning;
import dev.campaignctl.core.event.Backtest;
import dev.campaignctl.core.event.BatchResult;
import dev.campaignctl.core.event.Event;
import dev.campaignctl.core.event.EventExplanation;
import dev.campaignctl.core.event.Explainer;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.event.EventStatus;
import dev.campaignctl.core.event.EventStore;
import dev.campaignctl.core.event.GroupRegistrar;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.event.Outcomes;
import dev.campaignctl.core.event.Registration;
import dev.campaignctl.core.idempotency.Created;
import dev.campaignctl.core.idempotency.IdempotencyKey;
import dev.campaignctl.core.idempotency.IdempotentRequest;
import dev.campaignctl.core.idempotency.Outcome;
import dev.campaignctl.core.rule.NewRule;
import dev.campaignctl.core.rule.Rule;
import dev.campaignctl.core.ledger.Adjustment;
import dev.campaignctl.core.ledger.Balance;
import dev.campaignctl.core.ledger.LedgerEntry;
import dev.campaignctl.core.ledger.LedgerStore;
import dev.campaignctl.core.ledger.Redemption;
import dev.campaignctl.core.ledger.Refund;
import dev.campaignctl.core.ledger.VerifyReport;
import dev.campaignctl.core.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The domain in this process, on a {@link Database}. The HTTP service delegates to it; the CLI uses
 * it directly in embedded mode.
 */
public final class LocalDomainApi implements DomainApi {

    private static final Counter INGESTED = Metrics.counter("campaignctl_events_ingested_total",
            "Events stored (duplicates not counted)");

    private final Database database;
    private final CampaignStore campaigns;
    private final EventStore events;
    private final GroupRegistrar registrar;
    private final LedgerStore ledger;
    private final EventProcessor processor;
    private final boolean ownsDatabase;

    /**
     * @param processor woken after each registration so the event is decided without waiting for a
     *                  poll; may be null when no processor runs in this process
     */
    public LocalDomainApi(Database database, EventProcessor processor, boolean ownsDatabase) {
        this.database = database;
        this.campaigns = new CampaignStore(database.db());
        this.events = new EventStore(database.db());
        this.registrar = new GroupRegistrar(database.dataSource(), events);
        this.ledger = new LedgerStore(database.dataSource());
        this.processor = processor;
        this.ownsDatabase = ownsDatabase;
    }

    public Database database() {
        return database;
    }

    /**
     * The health of the database and the processor, computed at most once a second whatever the
     * number of callers (the health endpoints are public), by one caller at a time; only the
     * embedded postmaster's liveness, which costs no query, is checked on every call.
     */
    @Override
    public Health health() {
        database.requireRunning();
        CachedHealth cached = health;
        if (cached != null && System.nanoTime() - cached.at() < HEALTH_TTL_NANOS) {
            return cached.rethrowOrGet();
        }
        synchronized (healthLock) {
            cached = health;
            if (cached == null || System.nanoTime() - cached.at() >= HEALTH_TTL_NANOS) {
                cached = CachedHealth.of(this::computeHealth);
                health = cached;
            }
        }
        return cached.rethrowOrGet();
    }

    private static final long HEALTH_TTL_NANOS = 1_000_000_000L;
    private final Object healthLock = new Object();
    private volatile CachedHealth health;

    /** One computed health, or the failure computing it gave, and when. */
    private record CachedHealth(long at, Health value, RuntimeException failure) {
        static CachedHealth of(java.util.function.Supplier<Health> compute) {
            try {
                return new CachedHealth(System.nanoTime(), compute.get(), null);
            } catch (RuntimeException e) {
                return new CachedHealth(System.nanoTime(), null, e);
            }
        }

        Health rethrowOrGet() {
            if (failure != null) {
                throw failure;
            }
            return value;
        }
    }

    private Health computeHealth() {
        long pending = events.countPending();
        if (processor == null || !processor.health().running()) {
            return new Health("healthy", "demo-domain", "ok", pending, Version.current(), null);
        }
        EventProcessor.Health workers = processor.health();
        if (workers.ready()) {
            return new Health("healthy", "demo-domain", "ok", pending, Version.current(), "running");
        }
        return new Health("degraded", "demo-domain", "ok", pending, Version.current(), "restarting "
                + workers.restarting() + " of " + workers.workers() + " workers after: " + workers.lastFailure());
    }

    @Override
    public Created<Campaign> createCampaign(NewCampaign campaign, List<NewRule> rules, IdempotencyKey key) {
        return campaigns.createWithRules(campaign, rules,
                IdempotentRequest.of(key, "create campaign", new CampaignRequest(campaign, rules)));
    }

    /** What a create-campaign request asks, for its fingerprint: no rules and an empty list are the same. */
    private record CampaignRequest(NewCampaign campaign, List<NewRule> rules) {
    }

    @Override
    public Outcomes outcomes(List<Long> eventIds) {
        if (eventIds.size() > MAX_LIMIT) {
            throw ApiException.invalid("ids", "at most " + MAX_LIMIT + " ids per request");
        }
        return events.outcomes(eventIds);
    }

    @Override
    public Page<Campaign> listCampaigns(CampaignStatus status, int limit, Long startingAfter) {
        DomainApi.checkLimit(limit);
        return Page.fromRows(campaigns.list(status, limit + 1, Page.checkStartingAfter(startingAfter)), limit,
                Campaign::id, after -> listCampaigns(status, limit, after));
    }

    @Override
    public Campaign getCampaign(long id) {
        return campaigns.get(id);
    }

    @Override
    public Campaign updateCampaign(long id, CampaignPatch patch) {
        return campaigns.update(id, patch);
    }

    @Override
    public Created<Rule> addRule(long campaignId, NewRule rule, IdempotencyKey key) {
        return campaigns.addRule(campaignId, rule, IdempotentRequest.of(key, "add rule to campaign " + campaignId, rule));
    }

    @Override
    public Page<Rule> listRules(long campaignId, int limit, Long startingAfter) {
        DomainApi.checkLimit(limit);
        return Page.fromRows(campaigns.rules(campaignId, limit + 1, Page.checkStartingAfter(startingAfter)), limit,
                Rule::id, after -> listRules(campaignId, limit, after));
    }

    @Override
    public Created<Event> registerEvent(NewEvent event, IdempotencyKey key) {
        Created<Event> created;
        if (key == null) {
            // Without a key, concurrent registrations share one statement and one commit (group commit).
            Registration registration = registrar.register(event);
            created = new Created<>(registration.event(), registration.duplicate() ? Outcome.EXISTING : Outcome.CREATED);
        } else {
            created = events.register(event, IdempotentRequest.of(key, "register event", event));
        }
        if (created.outcome() == Outcome.CREATED && !created.replayed()) {
            INGESTED.increment();
            if (processor != null) {
                processor.wake();
            }
        }
        return created;
    }

    @Override
    public Event getEvent(long id) {
        return events.get(id);
    }

    @Override
    public BatchResult registerEvents(List<NewEvent> batch) {
        BatchResult result = BatchResult.of(events.registerAll(batch));
        INGESTED.increment(result.created());
        if (processor != null && result.created() > 0) {
            processor.wake();
        }
        return result;
    }

    @Override
    public EventExplanation explainEvent(long id) {
        return new Explainer(database.dataSource()).explain(events.get(id));
    }

    @Override
    public EventExplanation explainEvent(NewEvent event) {
        return new Explainer(database.dataSource()).explain(event);
    }

    @Override
    public Backtest.Report backtest(Backtest.Request request) {
        return new Backtest(database.dataSource()).run(request);
    }

    @Override
    public Page<Event> listEvents(EventStatus status, int limit, Long startingAfter) {
        DomainApi.checkLimit(limit);
        return Page.fromRows(events.list(status, limit + 1, Page.checkStartingAfter(startingAfter)), limit,
                Event::id, after -> listEvents(status, limit, after));
    }

    @Override
    public Page<Earning> listEarnings(Long campaignId, String customerId, int limit, Long startingAfter) {
        DomainApi.checkLimit(limit);
        return Page.fromRows(events.earnings(campaignId, customerId, limit + 1, Page.checkStartingAfter(startingAfter)),
                limit, Earning::id, after -> listEarnings(campaignId, customerId, limit, after));
    }

    @Override
    public Balance balance(String customerId) {
        return ledger.balance(customerId);
    }

    @Override
    public Page<LedgerEntry> ledger(String customerId, int limit, Long startingAfter) {
        DomainApi.checkLimit(limit);
        return Page.fromRows(ledger.ledger(customerId, limit + 1, Page.checkStartingAfter(startingAfter)), limit,
                LedgerEntry::id, after -> ledger(customerId, limit, after));
    }

    @Override
    public Created<Redemption> redeem(String customerId, BigDecimal points, String reason, String externalId,
                                      IdempotencyKey key) {
        return ledger.redeem(customerId, points, reason, externalId, key);
    }

    @Override
    public Redemption reverseRedemption(long redemptionId) {
        return ledger.reverseRedemption(redemptionId);
    }

    @Override
    public Created<Refund> refund(long eventId, BigDecimal amount, String reason, IdempotencyKey key) {
        return ledger.refund(eventId, amount, reason, key);
    }

    @Override
    public Adjustment adjust(String customerId, BigDecimal points, String reason) {
        return ledger.adjust(customerId, points, reason, "api");
    }

    @Override
    public int expirePoints(Instant now) {
        return ledger.expire(now);
    }

    @Override
    public VerifyReport verifyLedger() {
        return ledger.verify();
    }

    @Override
    public String endpoint() {
        return database.isEmbedded() ? "embedded" : database.url();
    }

    @Override
    public void close() {
        registrar.close();
        if (ownsDatabase) {
            database.close();
        }
    }
}
