package dev.campaignctl.core.ai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.http.HttpEndpoint;
import dev.campaignctl.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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

    /**
     * The request as sent, with the routed model and without the gateway's delivery fields, written
     * straight from the client's tree (fields in its order) rather than from an edited copy of it.
     */
    private static byte[] upstream(ChatRequest request, String model, boolean stream) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        // The client's numbers as it wrote them (1E+40, not 41 digits): what the prompt's bound measured.
        try (JsonGenerator out = Json.AS_READ.createGenerator(bytes)) {
            out.writeStartObject();
            boolean streamWritten = false;
            for (Map.Entry<String, JsonNode> field : request.body().properties()) {
                switch (field.getKey()) {
                    case "model" -> out.writeStringField("model", model);
                    case "stream_options" -> {
                        // Written below when streaming, as the gateway asks.
                    }
                    case "stream" -> {
                        if (stream) {
                            out.writeBooleanField("stream", true);
                            streamWritten = true;
                        }
                    }
                    default -> {
                        out.writeFieldName(field.getKey());
                        out.writeTree(field.getValue());
                    }
                }
            }
            if (stream) {
                if (!streamWritten) {
                    out.writeBooleanField("stream", true);
                }
                // Asked always, whatever the client asked: a stream whose usage is never counted cannot be budgeted.
                out.writeObjectFieldStart("stream_options");
                out.writeBooleanField("include_usage", true);
                out.writeEndObject();
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public ChatAnswer chat(ChatRequest request, String model) {
        JsonNode answer = http.post(upstream(request, model, false));
        if (!answer.isObject() || !answer.path("choices").isArray()) {
            throw new ProviderException(displayName(), 502, displayName() + " answered without choices", null, false);
        }
        JsonNode usage = answer.path("usage");
        return new ChatAnswer((ObjectNode) answer, new Usage(usage.path("prompt_tokens").asLong(-1),
                usage.path("completion_tokens").asLong(-1)));
    }

    @Override
    public ChatStream streamChat(ChatRequest request, String model) {
        return new Stream(http.stream(upstream(request, model, true)));
    }

    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    /** OpenAI's stream needs no translation: chunks are passed on as they are, usage noted on the way. */
    private final class Stream implements ChatStream {
        private final HttpEndpoint.Streamed answer;
        private final SseReader events;
        private volatile Usage usage = new Usage(-1, -1);
        private boolean done;

        Stream(HttpEndpoint.Streamed answer) {
            this.answer = answer;
            this.events = new SseReader(answer.body());
        }

        @Override
        public StreamChunk next() throws IOException {
            while (!done) {
                SseReader.Event event = events.next();
                if (event == null || event.dataIs(DONE)) {
                    done = true;
                    drain(answer);
                    return null;
                }
                StreamChunk chunk;
                try {
                    chunk = StreamChunk.parse(event.data());
                } catch (IOException e) {
                    throw new ProviderException(displayName(), 502, displayName() + " sent an event that is not JSON", null, false);
                }
                if (chunk == null) {
                    continue;
                }
                if (chunk.error() != null) {
                    throw new ProviderException(displayName(), 502, displayName() + " failed mid-stream: " + chunk.error(), null, false);
                }
                if (chunk.usage() != null) {
                    usage = chunk.usage();
                }
                return chunk;
            }
            return null;
        }

        @Override
        public boolean beforeWaiting(BeforeWaiting hook) {
            events.beforeWaiting(hook);
            return true;
        }

        @Override
        public Usage usage() {
            return usage;
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
