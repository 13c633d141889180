package dev.campaignctl.server;

import dev.campaignctl.core.ai.AiApi;
import dev.campaignctl.core.ai.GenerateRequest;
import dev.campaignctl.core.ai.GenerateResponse;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;

/** The AI management service's routes (port 8001), as the reference. */
public final class AiService implements HttpService {

    /** Prompts are large; the body cap is the prompt cap plus room for the other fields. */
    static final int MAX_BODY_BYTES = 1024 * 1024;

    /** Every path this service answers, for the 405-versus-404 decision. */
    public static final java.util.List<String> PATHS = java.util.List.of("/health", "/health/live", "/health/ready", "/providers",
            "/generate", "/cache/clear", "/cache/health");

    private final AiApi api;

    public AiService(AiApi api) {
        this.api = api;
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
        GenerateResponse answer = api.generate(GenerateRequest.fromJson(JsonIo.read(request, MAX_BODY_BYTES)));
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
