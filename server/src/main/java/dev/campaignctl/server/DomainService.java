package dev.campaignctl.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.api.DomainApi;
import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.campaign.CampaignPatch;
import dev.campaignctl.core.campaign.CampaignStatus;
import dev.campaignctl.core.campaign.NewCampaign;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.event.Backtest;
import dev.campaignctl.core.event.BatchResult;
import dev.campaignctl.core.event.EventBatch;
import dev.campaignctl.core.event.EventStatus;
import dev.campaignctl.core.json.Json;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.event.Event;
import dev.campaignctl.core.idempotency.Created;
import dev.campaignctl.core.idempotency.IdempotencyKey;
import dev.campaignctl.core.rule.NewRule;
import dev.campaignctl.core.rule.Rule;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Optional;
import dev.campaignctl.core.json.Fields;
import dev.campaignctl.core.ledger.Redemption;
import dev.campaignctl.core.ledger.Refund;

/** The domain service's routes (port 8000): the reference's endpoints plus what their users need. */
public final class DomainService implements HttpService {

    /** Every path this service answers, for the 405-versus-404 decision. */
    public static final List<String> PATHS = List.of("/health", "/health/live", "/health/ready", "/campaigns", "/campaigns/{id}",
            "/campaigns/{id}/rules", "/events", "/events/batch", "/events/explain", "/events/outcomes", "/events/{id}",
            "/rules/backtest", "/earnings", "/events/{id}/refunds", "/customers/{id}/balance", "/customers/{id}/ledger",
            "/customers/{id}/redemptions", "/customers/{id}/adjustments", "/redemptions/{id}/reverse", "/ledger/expire",
            "/ledger/verify");

    private static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create(IdempotencyKey.HEADER);
    private static final HeaderName IDEMPOTENT_REPLAYED = HeaderNames.create(IdempotencyKey.REPLAYED_HEADER);

    /** Longest customer id a query may name: as long as a stored one may be. */
    private static final int MAX_CUSTOMER_ID = 200;

    private final DomainApi api;
    private final ServerLimits limits;

    public DomainService(DomainApi api) {
        this(api, ServerLimits.DEFAULTS);
    }

    public DomainService(DomainApi api, ServerLimits limits) {
        this.api = api;
        this.limits = limits;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", this::health)
                .get("/health/live", this::live)
                .get("/health/ready", this::ready)
                .post("/campaigns", this::createCampaign)
                .get("/campaigns", this::listCampaigns)
                .get("/campaigns/{id}", this::getCampaign)
                .patch("/campaigns/{id}", this::updateCampaign)
                .post("/campaigns/{id}/rules", this::addRule)
                .get("/campaigns/{id}/rules", this::listRules)
                .post("/events", this::registerEvent)
                .post("/events/batch", this::registerBatch)
                .post("/events/explain", this::explainEvent)
                .post("/events/outcomes", this::outcomes)
                .post("/rules/backtest", this::backtest)
                .get("/events", this::listEvents)
                .get("/events/{id}", this::getEvent)
                .get("/earnings", this::listEarnings)
                .post("/events/{id}/refunds", this::refund)
                .get("/customers/{id}/balance", this::balance)
                .get("/customers/{id}/ledger", this::ledger)
                .post("/customers/{id}/redemptions", this::redeem)
                .post("/customers/{id}/adjustments", this::adjust)
                .post("/redemptions/{id}/reverse", this::reverseRedemption)
                .post("/ledger/expire", this::expire)
                .post("/ledger/verify", this::verify);
    }

    private void health(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, api.health());
    }

    /** A body may carry {@code rules}: then the campaign and its rules are created together or not at all. */
    private void live(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, Map.of("status", "alive"));
    }

    /**
     * Ready when the database answers with the schema in place and every processor worker runs;
     * 503 otherwise, so balancers look elsewhere.
     */
    private void ready(ServerRequest request, ServerResponse response) {
        try {
            var health = api.health();
            if (!health.healthy()) {
                JsonIo.send(response, Status.SERVICE_UNAVAILABLE_503, Map.of("status", "not ready",
                        "database", health.database(), "processor", String.valueOf(health.processor())));
                return;
            }
            JsonIo.ok(response, Map.of("status", "ready", "database", health.database()));
        } catch (ApiException e) {
            JsonIo.send(response, Status.SERVICE_UNAVAILABLE_503, Map.of("status", "not ready", "database", e.getMessage()));
        }
    }

    private void createCampaign(ServerRequest request, ServerResponse response) {
        IdempotencyKey key = idempotencyKey(request);
        JsonNode body = json(request);
        NewCampaign campaign = NewCampaign.fromJson(body);
        Created<Campaign> created = api.createCampaign(campaign, rules(body.get("rules")), key);
        sendCreated(response, created, created.value());
    }

    /** The rules of a create-campaign body; none when absent. */
    private static List<NewRule> rules(JsonNode rules) {
        if (rules == null || rules.isNull()) {
            return List.of();
        }
        if (!rules.isArray()) {
            throw ApiException.invalid("rules", "must be an array of rules");
        }
        List<NewRule> parsed = new java.util.ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            try {
                parsed.add(NewRule.fromJson(rules.get(i)));
            } catch (ApiException e) {
                throw ApiException.invalid("rules[" + i + "]" + (e.field() == null ? "" : "." + e.field()), e.getMessage());
            }
        }
        return parsed;
    }

    private void outcomes(ServerRequest request, ServerResponse response) {
        JsonNode ids = json(request).get("ids");
        if (ids == null || !ids.isArray()) {
            throw ApiException.invalid("ids", "must be an array of event ids");
        }
        List<Long> list = new java.util.ArrayList<>(ids.size());
        ids.forEach(id -> list.add(Params.positiveLong("ids", id.asText())));
        JsonIo.ok(response, api.outcomes(list));
    }

    private void listCampaigns(ServerRequest request, ServerResponse response) {
        String text = Params.text(request, "status", 20);
        CampaignStatus status = text == null ? null : CampaignStatus.parse("status", text);
        NextLink.send(request, response, api.listCampaigns(status, limit(request), startingAfter(request)));
    }

    private void getCampaign(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, api.getCampaign(id(request)));
    }

    private void updateCampaign(ServerRequest request, ServerResponse response) {
        long id = id(request);
        JsonIo.ok(response, api.updateCampaign(id, CampaignPatch.fromJson(json(request))));
    }

    private void addRule(ServerRequest request, ServerResponse response) {
        long id = id(request);
        IdempotencyKey key = idempotencyKey(request);
        Created<Rule> created = api.addRule(id, NewRule.fromJson(json(request)), key);
        sendCreated(response, created, created.value());
    }

    /** In evaluation order: the cursor is a rule of the campaign, placed by its priority. */
    private void listRules(ServerRequest request, ServerResponse response) {
        long id = id(request);
        int limit = limit(request, DomainApi.DEFAULT_RULES_LIMIT);
        NextLink.send(request, response, api.listRules(id, limit, startingAfter(request)));
    }

    private void registerEvent(ServerRequest request, ServerResponse response) {
        IdempotencyKey key = idempotencyKey(request);
        Created<Event> created = api.registerEvent(NewEvent.fromJson(json(request)), key);
        ObjectNode body = Json.MAPPER.valueToTree(created.value());
        body.put("duplicate", created.existing());
        sendCreated(response, created, body);
    }

    /** The request's Idempotency-Key, or null without one; an empty, malformed or repeated header is a 400. */
    private static IdempotencyKey idempotencyKey(ServerRequest request) {
        List<String> values = request.headers().all(IDEMPOTENCY_KEY, List::of);
        if (values.size() > 1) {
            throw ApiException.invalid(IdempotencyKey.HEADER, "must be sent once, got " + values.size() + " values");
        }
        return values.isEmpty() ? null : new IdempotencyKey(values.getFirst());
    }

    /** 201 for a new object, 200 for one that existed; a replay says so in its header. */
    private static void sendCreated(ServerResponse response, Created<?> created, Object body) {
        if (created.replayed()) {
            response.header(IDEMPOTENT_REPLAYED, "true");
        }
        JsonIo.send(response, created.existing() ? Status.OK_200 : Status.CREATED_201, body);
    }

    private void registerBatch(ServerRequest request, ServerResponse response) {
        String type = JsonIo.requireType(request, "application/json", "application/x-ndjson");
        List<EventBatch.Entry> entries = EventBatch.parse(JsonIo.readCapped(request, limits.maxBatchBody()),
                type.equals("application/x-ndjson"));
        List<NewEvent> valid = entries.stream().map(EventBatch.Entry::event).filter(Objects::nonNull).toList();
        BatchResult stored = valid.isEmpty() ? BatchResult.of(List.of()) : api.registerEvents(valid);
        JsonIo.ok(response, EventBatch.merge(entries, stored.results()));
    }

    private void explainEvent(ServerRequest request, ServerResponse response) {
        JsonNode body = json(request);
        if (body.isObject() && body.has("event_id")) {
            JsonIo.ok(response, api.explainEvent(Params.positiveLong("event_id", body.get("event_id").asText())));
        } else {
            JsonIo.ok(response, api.explainEvent(NewEvent.fromJson(body)));
        }
    }

    private void backtest(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, api.backtest(Backtest.Request.fromJson(json(request))));
    }

    private void getEvent(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, api.getEvent(id(request)));
    }

    private void listEvents(ServerRequest request, ServerResponse response) {
        String text = Params.text(request, "status", 20);
        EventStatus status = text == null ? null : EventStatus.parse("status", text);
        NextLink.send(request, response, api.listEvents(status, limit(request), startingAfter(request)));
    }

    private void listEarnings(ServerRequest request, ServerResponse response) {
        Long campaignId = Params.positiveLong(request, "campaign_id");
        String customerId = Params.text(request, "customer_id", MAX_CUSTOMER_ID);
        NextLink.send(request, response, api.listEarnings(campaignId, customerId, limit(request), startingAfter(request)));
    }

    private JsonNode json(ServerRequest request) {
        return JsonIo.read(request, limits.maxJsonBody());
    }

    private static long id(ServerRequest request) {
        return Params.id(request);
    }

    private void refund(ServerRequest request, ServerResponse response) {
        long id = id(request);
        IdempotencyKey key = idempotencyKey(request);
        JsonNode body = json(request);
        Fields.object(body, "refund");
        Fields.only(body, "amount", "reason");
        Created<Refund> created = api.refund(id, Fields.decimal(body, "amount", false),
                Fields.text(body, "reason", false, 500), key);
        sendCreated(response, created, created.value());
    }

    private void balance(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, api.balance(customer(request)));
    }

    /** Newest first. */
    private void ledger(ServerRequest request, ServerResponse response) {
        String customer = customer(request);
        NextLink.send(request, response, api.ledger(customer, limit(request), startingAfter(request)));
    }

    private void redeem(ServerRequest request, ServerResponse response) {
        String customer = customer(request);
        IdempotencyKey key = idempotencyKey(request);
        JsonNode body = json(request);
        Fields.object(body, "redemption");
        Fields.only(body, "points", "reason", "external_id");
        Created<Redemption> created = api.redeem(customer, Fields.decimal(body, "points", true),
                Fields.text(body, "reason", false, 500), Fields.text(body, "external_id", false, 200), key);
        sendCreated(response, created, created.value());
    }

    private void adjust(ServerRequest request, ServerResponse response) {
        String customer = customer(request);
        JsonNode body = json(request);
        Fields.object(body, "adjustment");
        Fields.only(body, "points", "reason");
        JsonIo.send(response, Status.CREATED_201, api.adjust(customer, Fields.decimal(body, "points", true),
                Fields.text(body, "reason", true, 500)));
    }

    private void reverseRedemption(ServerRequest request, ServerResponse response) {
        JsonIo.send(response, Status.CREATED_201, api.reverseRedemption(id(request)));
    }

    /** Expires what is due now, or at {@code now} from the body (a test clock for cron's dry runs); the body may be {@code {}}. */
    private void expire(ServerRequest request, ServerResponse response) {
        JsonNode body = Fields.object(json(request), "expiry");
        Fields.only(body, "now");
        java.time.Instant now = Optional.ofNullable(Fields.instant(body, "now")).orElse(java.time.Instant.now());
        JsonIo.ok(response, Map.of("customers", api.expirePoints(now)));
    }

    private void verify(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, api.verifyLedger());
    }

    /** A customer id from the path: 1 to 200 characters. */
    private static String customer(ServerRequest request) {
        String customer = request.path().pathParameters().get("id");
        if (customer.isBlank() || customer.length() > 200) {
            throw ApiException.invalid("customer_id", "must be 1 to 200 characters");
        }
        if (customer.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw ApiException.invalid("customer_id", "must not contain control characters");
        }
        return customer;
    }

    /** A list's cursor: the id of the last item of the previous page, or null for the first page. */
    private static Long startingAfter(ServerRequest request) {
        return Params.positiveLong(request, "starting_after");
    }

    private static int limit(ServerRequest request) {
        return limit(request, DomainApi.DEFAULT_LIMIT);
    }

    private static int limit(ServerRequest request, int absent) {
        Long limit = Params.positiveLong(request, "limit");
        if (limit == null) {
            return absent;
        }
        if (limit > DomainApi.MAX_LIMIT) {
            throw ApiException.invalid("limit", "must be 1 to " + DomainApi.MAX_LIMIT + ", got " + limit);
        }
        return limit.intValue();
    }
}
