package dev.campaignctl.server;

import dev.campaignctl.core.agent.CampaignAgent;
import dev.campaignctl.core.agent.CampaignSpec;
import dev.campaignctl.core.agent.EventAgent;
import dev.campaignctl.core.agent.EventFile;
import dev.campaignctl.core.ai.AiApi;
import dev.campaignctl.core.api.DomainApi;
import dev.campaignctl.core.error.ApiException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The agents service's routes (port 8002): event-batch runs and AI-assisted campaign creation. */
public final class AgentsService implements HttpService {

    /** Every path this service answers, for the 405-versus-404 decision. */
    public static final List<String> PATHS = List.of("/health", "/health/live", "/health/ready",
            "/agents/event-batches", "/agents/runs/{id}", "/agents/campaigns");

    /** A spec is YAML or JSON; each of these types needs a CORS preflight from a browser. */
    private static final String[] SPEC_TYPES = {"application/json", "application/yaml", "application/x-yaml", "text/yaml"};

    private final DomainApi domain;
    private final AiApi ai;
    private final ServerLimits limits;
    private final AgentRuns runs;

    public AgentsService(DomainApi domain, AiApi ai) {
        this(domain, ai, ServerLimits.DEFAULTS, AgentRuns.Settings.DEFAULTS);
    }

    public AgentsService(DomainApi domain, AiApi ai, ServerLimits limits, AgentRuns.Settings runs) {
        this.domain = domain;
        this.ai = ai;
        this.limits = limits;
        this.runs = new AgentRuns(domain, runs);
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

    private static String probe(Supplier<String> check) {
        try {
            return check.get();
        } catch (ApiException e) {
            return "unavailable: " + e.getMessage();
        }
    }

    /**
     * Starts a run of the file in the body. A place for the run is taken first, so a client refused
     * with 429 has sent a file nobody reads.
     */
    private void startBatch(ServerRequest request, ServerResponse response) {
        String type = JsonIo.requireType(request, "application/json", "application/x-ndjson");
        String name = Params.text(request, "name", 1000);
        EventAgent.Options defaults = EventAgent.Options.defaults();
        EventAgent.Options options = new EventAgent.Options(Params.integer(request, "concurrency", defaults.concurrency()),
                defaults.chunkSize(), defaults.maxDowntime(), Params.bool(request, "wait", false), defaults.waitTimeout());
        AgentRuns.Slot slot;
        try {
            slot = runs.reserve();
        } catch (ApiException e) {
            // Sent here rather than thrown: the error mapping starts from a response without headers.
            response.header(HeaderNames.RETRY_AFTER, Long.toString(AgentRuns.RETRY_AFTER.toSeconds()));
            ErrorMapping.send(response, e);
            return;
        }
        try (slot) {
            // An uploaded file has the identity its caller names, or else its content's.
            EventFile file = EventFile.parse(eventFile(JsonIo.readCapped(request, limits.maxAgentFile()), type), name);
            if (file.records().isEmpty() && file.invalid().isEmpty()) {
                throw ApiException.invalid(null, "the file holds no events");
            }
            JsonIo.send(response, Status.ACCEPTED_202, runs.start(slot, file, options));
        }
    }

    /** A JSON body must be an array: anything else would be read as NDJSON, whatever it is. */
    private static byte[] eventFile(byte[] content, String type) {
        if (type.equals("application/json")) {
            int first = 0;
            while (first < content.length && Character.isWhitespace(content[first])) {
                first++;
            }
            if (first == content.length || content[first] != '[') {
                throw ApiException.invalid(null, "a JSON body must be an array of events; send NDJSON as application/x-ndjson");
            }
        }
        return content;
    }

    private void run(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, runs.get(request.path().pathParameters().get("id")));
    }

    private void createCampaign(ServerRequest request, ServerResponse response) {
        boolean dryRun = Params.bool(request, "dry_run", false);
        String type = JsonIo.requireType(request, SPEC_TYPES);
        // YAML reads far more than JSON ({name: x} is a mapping): a body sent as JSON must be JSON.
        CampaignSpec spec = type.equals("application/json") ? CampaignSpec.of(JsonIo.read(request, limits.maxJsonBody()))
                : CampaignSpec.parse(JsonIo.readCapped(request, limits.maxJsonBody()));
        CampaignAgent.Result result = new CampaignAgent(domain, ai).create(spec, dryRun);
        JsonIo.send(response, dryRun ? Status.OK_200 : Status.CREATED_201, result);
    }
}
