package dev.campaignctl.core.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.json.Json;
import java.time.Duration;
import java.util.List;

/**
 * OpenAI Chat Completions ({@code POST /chat/completions}, {@code Authorization: Bearer}); with a
 * base URL of another OpenAI-compatible server (Ollama, vLLM, llama.cpp) it talks to that instead.
 */
public final class OpenAiProvider extends HttpLlmProvider {

    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

    public OpenAiProvider(String apiKey, String model, String baseUrl, Duration timeout) {
        super(apiKey, model == null ? "gpt-4" : model, baseUrl == null ? DEFAULT_BASE_URL : baseUrl, "/chat/completions", timeout);
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
    public String keyVariable() {
        return "OPENAI_API_KEY";
    }

    @Override
    List<String> authHeaders(String apiKey) {
        return List.of("Authorization", "Bearer " + apiKey);
    }

    @Override
    public Completion complete(String prompt, String model, int maxTokens, double temperature) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        body.put("max_tokens", maxTokens);
        body.put("temperature", temperature);
        JsonNode answer = http.post(body);
        JsonNode usage = answer.path("usage");
        return new Completion(answer.path("choices").path(0).path("message").path("content").asText(""),
                answer.path("model").asText(model), usage.path("prompt_tokens").asInt(), usage.path("completion_tokens").asInt());
    }
}
