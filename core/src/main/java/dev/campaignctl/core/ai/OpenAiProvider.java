package dev.campaignctl.core.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.json.Json;
import java.net.URI;
import java.time.Duration;

/**
 * OpenAI Chat Completions ({@code POST /chat/completions}, {@code Authorization: Bearer}); with a
 * base URL of another OpenAI-compatible server (Ollama, vLLM, llama.cpp) it talks to that instead.
 */
public final class OpenAiProvider implements LlmProvider {

    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

    private final String apiKey;
    private final String model;
    private final URI endpoint;
    private final ProviderHttp http;

    public OpenAiProvider(String apiKey, String model, String baseUrl, Duration timeout) {
        this.apiKey = apiKey;
        this.model = model == null ? "gpt-4" : model;
        String base = baseUrl == null ? DEFAULT_BASE_URL : baseUrl.replaceAll("/+$", "");
        this.endpoint = URI.create(base + "/chat/completions");
        this.http = new ProviderHttp(timeout);
    }

    @Override
    public String id() {
        return "openai";
    }

    @Override
    public String displayName() {
        return "OpenAI";
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
        return "OPENAI_API_KEY";
    }

    @Override
    public Completion complete(String prompt, String model, int maxTokens, double temperature) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        body.put("max_tokens", maxTokens);
        body.put("temperature", temperature);
        JsonNode answer = http.post("OpenAI", endpoint, body, "Authorization", "Bearer " + apiKey);
        JsonNode usage = answer.path("usage");
        return new Completion(answer.path("choices").path(0).path("message").path("content").asText(""),
                answer.path("model").asText(model), usage.path("prompt_tokens").asInt(), usage.path("completion_tokens").asInt());
    }
}
