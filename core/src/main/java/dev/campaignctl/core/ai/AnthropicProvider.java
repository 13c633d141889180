package dev.campaignctl.core.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.json.Json;
import java.time.Duration;
import java.util.List;

/** Anthropic Messages ({@code POST /v1/messages}, {@code x-api-key} and {@code anthropic-version}). */
public final class AnthropicProvider extends HttpLlmProvider {

    public static final String DEFAULT_BASE_URL = "https://api.anthropic.com";
    static final String VERSION = "2023-06-01";

    public AnthropicProvider(String apiKey, String model, String baseUrl, Duration timeout) {
        super(apiKey, model == null ? "claude-3-opus-20240229" : model, baseUrl == null ? DEFAULT_BASE_URL : baseUrl, "/v1/messages", timeout);
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
    public String keyVariable() {
        return "ANTHROPIC_API_KEY";
    }

    @Override
    List<String> authHeaders(String apiKey) {
        return List.of("x-api-key", apiKey, "anthropic-version", VERSION);
    }

    @Override
    public Completion complete(String prompt, String model, int maxTokens, double temperature) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", model);
        body.put("max_tokens", maxTokens);
        body.put("temperature", temperature);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        JsonNode answer = http.post(body);
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
