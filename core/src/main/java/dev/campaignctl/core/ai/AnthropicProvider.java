package dev.campaignctl.core.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.json.Json;
import java.net.URI;
import java.time.Duration;

/** Anthropic Messages ({@code POST /v1/messages}, {@code x-api-key} and {@code anthropic-version}). */
public final class AnthropicProvider implements LlmProvider {

    public static final String DEFAULT_BASE_URL = "https://api.anthropic.com";
    static final String VERSION = "2023-06-01";

    private final String apiKey;
    private final String model;
    private final URI endpoint;
    private final ProviderHttp http;

    public AnthropicProvider(String apiKey, String model, String baseUrl, Duration timeout) {
        this.apiKey = apiKey;
        this.model = model == null ? "claude-3-opus-20240229" : model;
        String base = baseUrl == null ? DEFAULT_BASE_URL : baseUrl.replaceAll("/+$", "");
        this.endpoint = URI.create(base + "/v1/messages");
        this.http = new ProviderHttp(timeout);
    }

    @Override
    public String id() {
        return "anthropic";
    }

    @Override
    public String displayName() {
        return "Anthropic";
    }

    @Override
    public boolean configured() {
        return apiKey != null && !apiKey.isBlank();
    }

    @Override
    public String defaultModel() {
        return model;
    }

    @Override
    public String keyVariable() {
        return "ANTHROPIC_API_KEY";
    }

    @Override
    public Completion complete(String prompt, String model, int maxTokens, double temperature) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", model);
        body.put("max_tokens", maxTokens);
        body.put("temperature", temperature);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        JsonNode answer = http.post("Anthropic", endpoint, body, "x-api-key", apiKey, "anthropic-version", VERSION);
        StringBuilder text = new StringBuilder();
        for (JsonNode block : answer.path("content")) {
            if (block.path("type").asText().equals("text")) {
                text.append(block.path("text").asText());
            }
        }
        JsonNode usage = answer.path("usage");
        return new Completion(text.toString(), answer.path("model").asText(model),
                usage.path("input_tokens").asInt(), usage.path("output_tokens").asInt());
    }
}
