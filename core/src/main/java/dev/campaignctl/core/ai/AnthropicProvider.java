package dev.campaignctl.core.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.http.HttpEndpoint;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

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

    /** OpenAI fields with no Anthropic counterpart here: refused rather than dropped without a word. */
    private static final Set<String> UNTRANSLATED = Set.of("tools", "tool_choice", "functions", "function_call",
            "response_format", "logprobs", "top_logprobs", "logit_bias", "presence_penalty", "frequency_penalty", "seed");

    /**
     * The Messages request for an OpenAI chat request: system and developer messages become
     * {@code system}, {@code stop} becomes {@code stop_sequences}, temperature is capped at
     * Anthropic's 1, and {@code max_tokens} (which Anthropic requires) defaults to {@code defaultMaxTokens}.
     */
    static ObjectNode translate(ChatRequest request, String model, int defaultMaxTokens, boolean stream) {
        for (String field : UNTRANSLATED) {
            if (request.body().hasNonNull(field)) {
                throw ApiException.invalid(field, "is not translated to Anthropic's Messages API; use an OpenAI model");
            }
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", model);
        body.put("max_tokens", request.maxTokens() == null ? defaultMaxTokens : request.maxTokens());
        StringBuilder system = new StringBuilder();
        var messages = body.putArray("messages");
        for (int i = 0; i < request.messages().size(); i++) {
            ChatRequest.Message message = request.messages().get(i);
            switch (message.role()) {
                case "system", "developer" -> system.append(system.isEmpty() ? "" : "\n\n").append(message.text());
                case "user", "assistant" -> messages.addObject().put("role", message.role()).put("content", message.text());
                default -> throw ApiException.invalid("messages[" + i + "].role", "tool messages are not translated to Anthropic");
            }
        }
        if (messages.isEmpty()) {
            throw ApiException.invalid("messages", "Anthropic needs at least one user message");
        }
        if (!system.isEmpty()) {
            body.put("system", system.toString());
        }
        if (request.temperature() != null) {
            body.put("temperature", Math.min(1.0, request.temperature()));
        }
        if (request.topP() != null) {
            body.put("top_p", request.topP());
        }
        if (!request.stop().isEmpty()) {
            var stops = body.putArray("stop_sequences");
            request.stop().forEach(stops::add);
        }
        if (stream) {
            body.put("stream", true);
        }
        return body;
    }

    static String finishReason(String stopReason) {
        return switch (stopReason == null ? "" : stopReason) {
            case "max_tokens" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop";
        };
    }

    @Override
    public ChatAnswer chat(ChatRequest request, String model) {
        JsonNode answer = http.post(translate(request, model, GenerateRequest.DEFAULT_MAX_TOKENS, false));
        StringBuilder text = new StringBuilder();
        for (JsonNode block : answer.path("content")) {
            if (block.path("type").asText().equals("text")) {
                text.append(block.path("text").asText());
            }
        }
        JsonNode usage = answer.path("usage");
        long in = usage.path("input_tokens").asLong(-1);
        long out = usage.path("output_tokens").asLong(-1);
        ObjectNode completion = Json.MAPPER.createObjectNode();
        completion.put("id", "chatcmpl-" + answer.path("id").asText("anthropic"));
        completion.put("object", "chat.completion");
        completion.put("created", Instant.now().getEpochSecond());
        completion.put("model", answer.path("model").asText(model));
        ObjectNode choice = completion.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", text.toString()).putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(answer.path("stop_reason").asText(null)));
        completion.putObject("usage").put("prompt_tokens", Math.max(in, 0)).put("completion_tokens", Math.max(out, 0))
                .put("total_tokens", Math.max(in, 0) + Math.max(out, 0));
        return new ChatAnswer(completion, new Usage(in, out));
    }

    @Override
    public ChatStream streamChat(ChatRequest request, String model) {
        return new Stream(http.stream(translate(request, model, GenerateRequest.DEFAULT_MAX_TOKENS, true)), model);
    }

    /**
     * Anthropic's event stream translated to OpenAI chunks: {@code message_start} gives the role
     * chunk and the input tokens, each {@code text_delta} a content chunk, {@code message_delta}
     * the finish reason and output tokens, {@code message_stop} the usage chunk and the end.
     */
    private final class Stream implements ChatStream {
        private final HttpEndpoint.Streamed answer;
        private final SseReader events;
        private final long created = Instant.now().getEpochSecond();
        private String id = "chatcmpl-anthropic";
        private String model;
        private volatile long inputTokens = -1;
        private volatile long outputTokens = -1;
        private boolean done;

        Stream(HttpEndpoint.Streamed answer, String model) {
            this.answer = answer;
            this.events = new SseReader(answer.body());
            this.model = model;
        }

        @Override
        public StreamChunk next() throws IOException {
            while (!done) {
                SseReader.Event event = events.next();
                if (event == null) {
                    done = true;
                    return null;
                }
                JsonNode data;
                try {
                    data = Json.MAPPER.readTree(event.data());
                } catch (IOException e) {
                    throw new ProviderException(displayName(), 502, displayName() + " sent an event that is not JSON", null, false);
                }
                ObjectNode chunk = translate(data.path("type").asText(event.name()), data);
                if (chunk != null) {
                    return StreamChunk.of(chunk);
                }
            }
            return null;
        }

        private ObjectNode translate(String type, JsonNode data) throws IOException {
            switch (type) {
                case "message_start" -> {
                    JsonNode message = data.path("message");
                    id = "chatcmpl-" + message.path("id").asText("anthropic");
                    model = message.path("model").asText(model);
                    inputTokens = message.path("usage").path("input_tokens").asLong(-1);
                    ObjectNode chunk = chunk();
                    chunk.withArray("choices").addObject().put("index", 0).<ObjectNode>set("delta",
                            Json.MAPPER.createObjectNode().put("role", "assistant").put("content", ""))
                            .putNull("logprobs").putNull("finish_reason");
                    return chunk;
                }
                case "content_block_delta" -> {
                    if (!data.path("delta").path("type").asText().equals("text_delta")) {
                        return null;
                    }
                    ObjectNode chunk = chunk();
                    chunk.withArray("choices").addObject().put("index", 0).<ObjectNode>set("delta",
                            Json.MAPPER.createObjectNode().put("content", data.path("delta").path("text").asText()))
                            .putNull("logprobs").putNull("finish_reason");
                    return chunk;
                }
                case "message_delta" -> {
                    if (data.path("usage").has("output_tokens")) {
                        outputTokens = data.path("usage").path("output_tokens").asLong();
                    }
                    ObjectNode chunk = chunk();
                    chunk.withArray("choices").addObject().put("index", 0).<ObjectNode>set("delta", Json.MAPPER.createObjectNode())
                            .putNull("logprobs").put("finish_reason", finishReason(data.path("delta").path("stop_reason").asText(null)));
                    return chunk;
                }
                case "message_stop" -> {
                    done = true;
                    drain(answer);
                    ObjectNode chunk = chunk();
                    chunk.putArray("choices");
                    long in = Math.max(inputTokens, 0);
                    long out = Math.max(outputTokens, 0);
                    chunk.putObject("usage").put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in + out);
                    return chunk;
                }
                case "error" -> throw new ProviderException(displayName(), 502, displayName() + " failed mid-stream: "
                        + data.path("error").path("message").asText("no message"), null, false);
                default -> {
                    // ping, content_block_start, content_block_stop: nothing for an OpenAI client.
                    return null;
                }
            }
        }

        private ObjectNode chunk() {
            ObjectNode chunk = Json.MAPPER.createObjectNode();
            chunk.put("id", id);
            chunk.put("object", "chat.completion.chunk");
            chunk.put("created", created);
            chunk.put("model", model);
            return chunk;
        }

        @Override
        public Usage usage() {
            return new Usage(inputTokens, outputTokens);
        }

        @Override
        public void close() {
            try {
                answer.close();
            } catch (IOException e) {
                // Closing cancels the exchange; nothing to do when it is already gone.
            }
        }
    }
}
