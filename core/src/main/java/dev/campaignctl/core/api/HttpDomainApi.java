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
import dev.campaignctl.core.rule.NewRule;
import dev.campaignctl.core.rule.Rule;
import java.net.URI;
import java.util.List;

/**
 * The domain service over HTTP ({@code DEMO_DOMAIN_URL}), with HTTP Basic credentials. The
 * reference's {@code DemoDomainClient}.
 */
public final class HttpDomainApi implements DomainApi {

    private final HttpJson http;

    public HttpDomainApi(URI baseUrl, String username, String password) {
        this.http = new HttpJson(baseUrl, username == null ? null : HttpJson.basic(username, password));
    }

    @Override
    public Health health() {
        return http.get("/health").as(Health.class);
    }

    @Override
    public Campaign createCampaign(NewCampaign campaign) {
        return http.send("POST", "/campaigns", campaign).as(Campaign.class);
    }

    @Override
    public Campaign createCampaign(NewCampaign campaign, List<NewRule> rules) {
        com.fasterxml.jackson.databind.node.ObjectNode body = dev.campaignctl.core.json.Json.MAPPER.valueToTree(campaign);
        body.set("rules", dev.campaignctl.core.json.Json.MAPPER.valueToTree(rules));
        return http.send("POST", "/campaigns", body).as(Campaign.class);
    }

    @Override
    public Outcomes outcomes(List<Long> eventIds) {
        return http.send("POST", "/events/outcomes", java.util.Map.of("ids", eventIds)).as(Outcomes.class);
    }

    @Override
    public List<Campaign> listCampaigns(CampaignStatus status, int limit) {
        return http.get("/campaigns" + HttpJson.query(HttpJson.params(
                "status", status == null ? null : status.wire(), "limit", limit))).asList(Campaign.class);
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
    public Rule addRule(long campaignId, NewRule rule) {
        return http.send("POST", "/campaigns/" + campaignId + "/rules", rule).as(Rule.class);
    }

    @Override
    public List<Rule> listRules(long campaignId) {
        return http.get("/campaigns/" + campaignId + "/rules").asList(Rule.class);
    }

    @Override
    public Registration registerEvent(NewEvent event) {
        HttpJson.Response response = http.send("POST", "/events", event);
        return new Registration(response.as(Event.class), response.status() == 200);
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
        return http.send("POST", "/events/explain", java.util.Map.of("event_id", id)).as(EventExplanation.class);
    }

    @Override
    public EventExplanation explainEvent(NewEvent event) {
        return http.send("POST", "/events/explain", event).as(EventExplanation.class);
    }

    @Override
    public Backtest.Report backtest(Backtest.Request request) {
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        List<Object> rules = new java.util.ArrayList<>();
        for (Backtest.DraftRule draft : request.rules()) {
            com.fasterxml.jackson.databind.node.ObjectNode rule = dev.campaignctl.core.json.Json.MAPPER.valueToTree(draft.rule());
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
    public List<Event> listEvents(EventStatus status, int limit) {
        return http.get("/events" + HttpJson.query(HttpJson.params(
                "status", status == null ? null : status.wire(), "limit", limit))).asList(Event.class);
    }

    @Override
    public List<Earning> listEarnings(Long campaignId, String customerId, int limit) {
        return http.get("/earnings" + HttpJson.query(HttpJson.params(
                "campaign_id", campaignId, "customer_id", customerId, "limit", limit))).asList(Earning.class);
    }

    @Override
    public String endpoint() {
        return http.base().toString();
    }

    @Override
    public void close() {
        // The JDK client's connections close when it is collected; nothing else is held.
    }
}
