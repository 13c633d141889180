package dev.campaignctl.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.ai.AiApi;
import dev.campaignctl.core.ai.ChatGateway;
import dev.campaignctl.core.ai.ChatRequest;
import dev.campaignctl.core.ai.GenerateRequest;
import dev.campaignctl.core.ai.GenerateResponse;
import dev.campaignctl.core.ai.keys.KeySpec;
import dev.campaignctl.core.ai.keys.KeyStore;
import dev.campaignctl.core.ai.keys.VirtualKey;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.json.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The AI management service's routes (port 8001), as the reference. */
public final class AiService implements HttpService {

    /** Every path this service answers, for the 405-versus-404 decision. */
    public static final List<String> PATHS = List.of("/health", "/health/live", "/health/ready", "/providers",
            "/generate", "/cache/clear", "/cache/health", "/v1/chat/completions", "/v1/models", "/v1/keys", "/v1/keys/{id}",
            "/v1/keys/{id}/usage");

    private final AiApi api;
    private final ChatGateway chat;
    private final ServerLimits limits;

    public AiService(AiApi api) {
        this(api, null, ServerLimits.DEFAULTS);
    }

    /**
     * Prompts are large (up to 200,000 characters): the JSON body limit must leave room for them.
     *
     * @param chat the OpenAI-compatible side, or null for a service without it (503 on its routes)
     */
    public AiService(AiApi api, ChatGateway chat, ServerLimits limits) {
        this.api = api;
        this.chat = chat;
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
                .get("/cache/health", this::cacheHealth)
                .post("/v1/chat/completions", this::chatCompletions)
                .get("/v1/models", this::models)
                .post("/v1/keys", this::createKey)
                .get("/v1/keys", this::listKeys)
                .get("/v1/keys/{id}", this::showKey)
                .delete("/v1/keys/{id}", this::revokeKey)
                .get("/v1/keys/{id}/usage", this::keyUsage);
    }

    private ChatGateway chat() {
        if (chat == null) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "the OpenAI-compatible API is not enabled on this service");
        }
        return chat;
    }

    private KeyStore keys() {
        KeyStore keys = chat().keys();
        if (keys == null) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "virtual keys need a database: run serve all, or serve ai"
                    + " with --db-url (or next to a serve domain on the same data directory)");
        }
        return keys;
    }

    /** {@code Cache-Control: no-cache} (or no-store) asks the provider even when an answer is cached. */
    private static boolean useCache(ServerRequest request) {
        String control = request.headers().first(HeaderNames.CACHE_CONTROL).orElse("").toLowerCase(Locale.ROOT);
        return !control.contains("no-cache") && !control.contains("no-store");
    }

    private void chatCompletions(ServerRequest request, ServerResponse response) {
        ChatRequest chatRequest = ChatRequest.fromJson(JsonIo.read(request, limits.maxJsonBody()));
        VirtualKey key = AiAuthFilter.caller(request).key();
        if (!chatRequest.stream()) {
            ChatGateway.Reply reply = chat().complete(key, chatRequest, useCache(request));
            response.header("X-Cache", reply.cached() ? "HIT" : "MISS");
            // The provider's answer as it came: a number it wrote as 1E+40 stays so.
            JsonIo.okAsRead(response, reply.completion());
            return;
        }
        SseWriter out = new SseWriter(response);
        try {
            chat().stream(key, chatRequest, useCache(request), out);
        } catch (IOException e) {
            // The client left: the gateway cancelled the provider's call and settled the reservation.
        } catch (ApiException e) {
            if (!out.started()) {
                throw e;
            }
            out.error(e);
        } finally {
            out.close();
        }
    }

    private void models(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, chat().models(AiAuthFilter.caller(request).key()));
    }

    private void createKey(ServerRequest request, ServerResponse response) {
        KeyStore.Created created = keys().create(KeySpec.fromJson(JsonIo.read(request, limits.maxJsonBody())), Instant.now());
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("key", created.key());
        body.setAll((ObjectNode) Json.MAPPER.valueToTree(created.stored()));
        JsonIo.send(response, Status.CREATED_201, body);
    }

    private void listKeys(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, keys().list());
    }

    private void showKey(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, keys().get(Params.id(request)));
    }

    private void revokeKey(ServerRequest request, ServerResponse response) {
        JsonIo.ok(response, keys().revoke(Params.id(request)));
    }

    private void keyUsage(ServerRequest request, ServerResponse response) {
        VirtualKey key = keys().get(Params.id(request));
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("key_id", key.id());
        body.put("name", key.name());
        body.putPOJO("budget_tokens", key.budgetTokens());
        body.putPOJO("budget_usd", key.budgetUsd());
        body.put("spent_tokens", key.spentTokens());
        body.put("spent_usd", key.spentUsd());
        body.put("reserved_tokens", key.reservedTokens());
        body.put("reserved_usd", key.reservedUsd());
        if (key.budgetTokens() != null) {
            body.put("remaining_tokens", Math.max(0, key.budgetTokens() - key.spentTokens() - key.reservedTokens()));
        }
        body.set("models", Json.MAPPER.valueToTree(keys().usage(key.id())));
        JsonIo.ok(response, body);
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
