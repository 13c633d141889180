package dev.campaignctl.core.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.api.DomainApi;
import dev.campaignctl.core.api.Health;
import dev.campaignctl.core.api.Page;
import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.campaign.CampaignPatch;
import dev.campaignctl.core.campaign.CampaignStatus;
import dev.campaignctl.core.campaign.NewCampaign;
import dev.campaignctl.core.earning.Earning;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.event.Backtest;
import dev.campaignctl.core.event.BatchResult;
import dev.campaignctl.core.event.Event;
import dev.campaignctl.core.event.EventExplanation;
import dev.campaignctl.core.event.EventStatus;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.event.Outcomes;
import dev.campaignctl.core.http.HttpEndpoint;
import dev.campaignctl.core.http.Trust;
import dev.campaignctl.core.idempotency.Created;
import dev.campaignctl.core.idempotency.IdempotencyKey;
import dev.campaignctl.core.idempotency.Outcome;
import dev.campaignctl.core.json.Decimals;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.ledger.Adjustment;
import dev.campaignctl.core.ledger.Balance;
import dev.campaignctl.core.ledger.LedgerEntry;
import dev.campaignctl.core.ledger.Redemption;
import dev.campaignctl.core.ledger.Refund;
import dev.campaignctl.core.ledger.VerifyReport;
import dev.campaignctl.core.rule.NewRule;
import dev.campaignctl.core.rule.Rule;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The domain service over HTTP ({@code DEMO_DOMAIN_URL}), with HTTP Basic credentials. The
 * reference's {@code DemoDomainClient}.
 */
public final class HttpDomainApi implements DomainApi {

    /** Deliveries of a keyed create request at most. */
    private static final int KEYED_ATTEMPTS = 3;
    private static final Duration RETRY_PAUSE = Duration.ofMillis(200);

    private final HttpJson http;

    public HttpDomainApi(URI baseUrl, String username, String password) {
        this(baseUrl, username, password, Trust.JVM);
    }

    /** @param trust the CAs an https service's certificate must chain to */
    public HttpDomainApi(URI baseUrl, String username, String password, Trust trust) {
        this.http = new HttpJson(baseUrl, username == null ? null : HttpJson.basic(username, password), trust);
    }

    @Override
    public Health health() {
        return http.get("/health").as(Health.class);
    }

    @Override
    public Created<Campaign> createCampaign(NewCampaign campaign, List<NewRule> rules, IdempotencyKey key) {
        if (rules.isEmpty()) {
            return created(post("/campaigns", campaign, key), Campaign.class);
        }
        ObjectNode body = Json.MAPPER.valueToTree(campaign);
        body.set("rules", Json.MAPPER.valueToTree(rules));
        return created(post("/campaigns", body, key), Campaign.class);
    }

    @Override
    public Outcomes outcomes(List<Long> eventIds) {
        return http.send("POST", "/events/outcomes", Map.of("ids", eventIds)).as(Outcomes.class);
    }

    @Override
    public Page<Campaign> listCampaigns(CampaignStatus status, int limit, Long startingAfter) {
        return page("/campaigns" + HttpJson.query(HttpJson.params("status", status == null ? null : status.wire(),
                "limit", limit, "starting_after", startingAfter)), Campaign.class);
    }

    @Override
    public Campaign getCampaign(long id) {
        return http.get("/campaigns/" + id).as(Campaign.class);
    }

    @Override
    public Campaign updateCampaign(long id, CampaignPatch patch) {
        return http.send("PATCH", "/campaigns/" + id, patch).as(Campaign.class);
    }

    @Override
    public Created<Rule> addRule(long campaignId, NewRule rule, IdempotencyKey key) {
        return created(post("/campaigns/" + campaignId + "/rules", rule, key), Rule.class);
    }

    @Override
    public Page<Rule> listRules(long campaignId, int limit, Long startingAfter) {
        return page("/campaigns/" + campaignId + "/rules" + HttpJson.query(HttpJson.params(
                "limit", limit, "starting_after", startingAfter)), Rule.class);
    }

    @Override
    public Created<Event> registerEvent(NewEvent event, IdempotencyKey key) {
        return created(post("/events", event, key), Event.class);
    }

    /**
     * Sends a create request; one with a key goes again, with the same key, when its answer may
     * have been lost (the connection failed after it was sent, or a gateway answered 502-504): the
     * key makes a second delivery harmless, which is what it is for.
     */
    private HttpJson.Response post(String path, Object body, IdempotencyKey key) {
        if (key == null) {
            return http.send("POST", path, body);
        }
        List<String> headers = List.of(IdempotencyKey.HEADER, key.value());
        for (int attempt = 1; ; attempt++) {
            try {
                return http.send("POST", path, body, headers);
            } catch (ApiException e) {
                if (attempt == KEYED_ATTEMPTS || !answerMayBeLost(e)) {
                    throw e;
                }
            }
            try {
                Thread.sleep(RETRY_PAUSE.toMillis() * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(ErrorKind.UNAVAILABLE, null, "interrupted", e);
            }
        }
    }

    /**
     * Not when the connection was refused (nothing was sent), the deadline passed (the server is
     * too slow to ask again) or TLS failed (nothing was sent, and the next handshake fails alike).
     */
    private static boolean answerMayBeLost(ApiException e) {
        boolean transientKind = e.kind() == ErrorKind.UNAVAILABLE || e.kind() == ErrorKind.BAD_GATEWAY
                || e.kind() == ErrorKind.GATEWAY_TIMEOUT;
        return transientKind && !(e.getCause() instanceof ConnectException)
                && !(e.getCause() instanceof HttpEndpoint.DeadlineExceededException)
                && !(e.getCause() instanceof HttpEndpoint.TlsException);
    }

    /** 201 is a new object, 200 one that existed (a known external_id); the header marks a replay. */
    private static <T> Created<T> created(HttpJson.Response response, Class<T> type) {
        Outcome outcome = response.status() == 200 ? Outcome.EXISTING : Outcome.CREATED;
        return new Created<>(response.as(type), outcome, "true".equals(response.header(IdempotencyKey.REPLAYED_HEADER)));
    }

    @Override
    public Event getEvent(long id) {
        return http.get("/events/" + id).as(Event.class);
    }

    @Override
    public BatchResult registerEvents(List<NewEvent> events) {
        return http.send("POST", "/events/batch", events).as(BatchResult.class);
    }

    @Override
    public EventExplanation explainEvent(long id) {
        return http.send("POST", "/events/explain", Map.of("event_id", id)).as(EventExplanation.class);
    }

    @Override
    public EventExplanation explainEvent(NewEvent event) {
        return http.send("POST", "/events/explain", event).as(EventExplanation.class);
    }

    @Override
    public Backtest.Report backtest(Backtest.Request request) {
        Map<String, Object> body = new LinkedHashMap<>();
        List<Object> rules = new ArrayList<>();
        for (Backtest.DraftRule draft : request.rules()) {
            ObjectNode rule = Json.MAPPER.valueToTree(draft.rule());
            rule.put("campaign_id", draft.campaignId());
            rules.add(rule);
        }
        body.put("rules", rules);
        body.put("since", request.since().toString());
        if (request.until() != null) {
            body.put("until", request.until().toString());
        }
        body.put("max_changes", request.maxChanges());
        return http.send("POST", "/rules/backtest", body).as(Backtest.Report.class);
    }

    @Override
    public Page<Event> listEvents(EventStatus status, int limit, Long startingAfter) {
        return page("/events" + HttpJson.query(HttpJson.params("status", status == null ? null : status.wire(),
                "limit", limit, "starting_after", startingAfter)), Event.class);
    }

    @Override
    public Page<Earning> listEarnings(Long campaignId, String customerId, int limit, Long startingAfter) {
        return page("/earnings" + HttpJson.query(HttpJson.params("campaign_id", campaignId, "customer_id", customerId,
                "limit", limit, "starting_after", startingAfter)), Earning.class);
    }

    @Override
    public Balance balance(String customerId) {
        return http.get("/customers/" + HttpJson.segment(customerId) + "/balance").as(Balance.class);
    }

    @Override
    public Page<LedgerEntry> ledger(String customerId, int limit, Long startingAfter) {
        return page("/customers/" + HttpJson.segment(customerId) + "/ledger" + HttpJson.query(HttpJson.params(
                "limit", limit, "starting_after", startingAfter)), LedgerEntry.class);
    }

    /** One page of a list; the next one is fetched from the answer's {@code Link: <…>; rel="next"}, as it is. */
    private <T> Page<T> page(String pathAndQuery, Class<T> type) {
        HttpJson.Response answer = http.get(pathAndQuery);
        List<T> items = answer.asList(type);
        String link = Links.next(answer.header("Link"));
        if (link == null) {
            return Page.last(items);
        }
        String next = http.follow(pathAndQuery, link);
        return new Page<>(items, Links.startingAfter(next), () -> page(next, type));
    }

    @Override
    public Created<Redemption> redeem(String customerId, BigDecimal points, String reason, String externalId,
                                      IdempotencyKey key) {
        Map<String, Object> body = new LinkedHashMap<>();
        // Checked before it is written: the plain form of 1e999999999 would be a billion digits.
        body.put("points", Decimals.bounded("points", points));
        body.put("reason", reason);
        body.put("external_id", externalId);
        return created(post("/customers/" + HttpJson.segment(customerId) + "/redemptions", body, key), Redemption.class);
    }

    @Override
    public Redemption reverseRedemption(long redemptionId) {
        return http.send("POST", "/redemptions/" + redemptionId + "/reverse", Map.of()).as(Redemption.class);
    }

    @Override
    public Created<Refund> refund(long eventId, BigDecimal amount, String reason, IdempotencyKey key) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("amount", Decimals.bounded("amount", amount));
        body.put("reason", reason);
        return created(post("/events/" + eventId + "/refunds", body, key), Refund.class);
    }

    @Override
    public Adjustment adjust(String customerId, BigDecimal points, String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("points", Decimals.bounded("points", points));
        body.put("reason", reason);
        return http.send("POST", "/customers/" + HttpJson.segment(customerId) + "/adjustments", body).as(Adjustment.class);
    }

    @Override
    public int expirePoints(Instant now) {
        return http.send("POST", "/ledger/expire", Map.of("now", now.toString())).as(ExpiryResult.class).customers();
    }

    /** The answer of {@code POST /ledger/expire}. */
    public record ExpiryResult(int customers) {
    }

    @Override
    public VerifyReport verifyLedger() {
        return http.send("POST", "/ledger/verify", Map.of()).as(VerifyReport.class);
    }

    @Override
    public String endpoint() {
        return http.base().toString();
    }

    @Override
    public void close() {
        // The JDK client is shared by the process and its idle connections time out; nothing else is held.
    }
}
