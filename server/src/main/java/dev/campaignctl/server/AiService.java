package dev.campaignctl.server;

import dev.campaignctl.core.ai.AiApi;
import dev.campaignctl.core.ai.GenerateRequest;
import dev.campaignctl.core.ai.GenerateResponse;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Map;

/** The AI management service's routes (port 8001), as the reference. */
public final class AiService implements HttpService {

    /** Every path this service answers, for the 405-versus-404 decision. */
    public static final List<String> PATHS = List.of("/health", "/health/live", "/health/ready", "/providers",
            "/generate", "/cache/clear", "/cache/health");

    private final AiApi api;
    private final ServerLimits limits;

    public AiService(AiApi api) {
        this(api, ServerLimits.DEFAULTS);
    }

    /** Prompts are large (up to 200,000 characters): the JSON body limit must leave room for them. */
    public AiService(AiApi api, ServerLimits limits) {
        this.api = api;
        this.limits = limits;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", this::health)
                .get("/health/live", (request, response) -> JsonIo.ok(response, Map.of("status", "alive")))
                .get("/health/ready", (request, response) -> JsonIo.ok(response, Map.of("status", "ready",
                        "cache", api.cacheHealth().status())))
                .get("/providers", this::providers)
                .post("/generate", this::generate)
                .post("/cache/clear", this::clearCache)
                .get("/cache/health", this::cacheHealth);
    }

    private void health(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, api.health());
    }

    private void providers(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, Map.of("providers", api.providers()));
    }

    private void generate(ServerRequest request, ServerResponse response) {
        GenerateResponse answer = api.generate(GenerateRequest.fromJson(JsonIo.read(request, limits.maxJsonBody())));
        response.header("X-Cache", answer.cached() ? "HIT" : "MISS");
        JsonIo.ok(response, answer);
    }

    private void clearCache(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, Map.of("status", "cleared", "removed", api.clearCache()));
    }

    private void cacheHealth(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, api.cacheHealth());
    }
}
