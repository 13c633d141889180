package dev.campaignctl.server;

import dev.campaignctl.core.agent.CampaignAgent;
import dev.campaignctl.core.agent.CampaignSpec;
import dev.campaignctl.core.agent.EventAgent;
import dev.campaignctl.core.agent.EventFile;
import dev.campaignctl.core.ai.AiApi;
import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.api.DomainApi;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/** The agents service's routes (port 8002): event-batch runs and AI-assisted campaign creation. */
public final class AgentsService implements HttpService {

    /** An event file sent to the agents service: 100,000 events of about 600 bytes. */
    static final int MAX_FILE_BYTES = 64 * 1024 * 1024;

    /** Every path this service answers, for the 405-versus-404 decision. */
    public static final java.util.List<String> PATHS = java.util.List.of("/health", "/health/live", "/health/ready",
            "/agents/event-batches", "/agents/runs/{id}", "/agents/campaigns");

    private final DomainApi domain;
    private final AiApi ai;
    private final AgentRuns runs;

    public AgentsService(DomainApi domain, AiApi ai) {
        this.domain = domain;
        this.ai = ai;
        this.runs = new AgentRuns(domain);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", this::health)
                .get("/health/live", (request, response) -> JsonIo.ok(response, Map.of("status", "alive")))
                .get("/health/ready", this::ready)
                .post("/agents/event-batches", this::startBatch)
                .get("/agents/runs/{id}", this::run)
                .post("/agents/campaigns", this::createCampaign);
    }

    private void health(ServerRequest request, ServerResponse response) {
        Map<String, Object> dependencies = new LinkedHashMap<>();
        dependencies.put("domain", probe(() -> domain.health().status()));
        dependencies.put("ai", ai == null ? "not configured" : probe(() -> ai.health().status()));
        boolean domainUp = "healthy".equals(dependencies.get("domain"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", domainUp ? "healthy" : "degraded");
        body.put("service", "agents");
        body.put("dependencies", dependencies);
        JsonIo.ok(response, body);
    }

    /** Ready when the domain service answers: without it no agent can do anything. */
    private void ready(ServerRequest request, ServerResponse response) {
        String domainState = probe(() -> domain.health().status());
        boolean up = "healthy".equals(domainState);
        JsonIo.send(response, up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503,
                Map.of("status", up ? "ready" : "not ready", "domain", domainState));
    }

    private static String probe(java.util.function.Supplier<String> check) {
        try {
            return check.get();
        } catch (ApiException e) {
            return "unavailable: " + e.getMessage();
        }
    }

    private void startBatch(ServerRequest request, ServerResponse response) {
        JsonIo.requireType(request, "application/json", "application/x-ndjson");
        // An uploaded file has the identity its caller names, or else its content's.
        EventFile file = EventFile.parse(JsonIo.readCapped(request, MAX_FILE_BYTES),
                request.query().first("name").asOptional().filter(name -> !name.isEmpty()).orElse(null));
        int concurrency = request.query().first("concurrency").asOptional().map(Integer::parseInt).orElse(16);
        EventAgent.Options defaults = EventAgent.Options.defaults();
        EventAgent.Options options = new EventAgent.Options(concurrency, defaults.chunkSize(), defaults.maxDowntime(),
                request.query().first("wait").asOptional().map(Boolean::parseBoolean).orElse(false), defaults.waitTimeout());
        JsonIo.send(response, Status.ACCEPTED_202, runs.start(file, options));
    }

    private void run(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, runs.get(request.path().pathParameters().get("id")));
    }

    private void createCampaign(ServerRequest request, ServerResponse response) {
        byte[] body = JsonIo.readCapped(request, JsonIo.MAX_BODY_BYTES);
        boolean dryRun = request.query().first("dry_run").asOptional().map(Boolean::parseBoolean).orElse(false);
        CampaignAgent.Result result = new CampaignAgent(domain, ai).create(CampaignSpec.parse(body), dryRun);
        JsonIo.send(response, dryRun ? Status.OK_200 : Status.CREATED_201, result);
    }
}
