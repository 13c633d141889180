package dev.campaignctl.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for the OpenAI Chat Completions or Anthropic Messages API, speaking their
 * documented wire format: the same path, authentication headers, success and error bodies, and 429
 * with {@code retry-after}. It records every request so tests can assert what the client sent.
 * Answers echo the prompt and parameters, so tests can tell answers to different requests apart.
 */
public final class FakeLlmServer implements AutoCloseable {

    /** Which API this fake speaks. */
    public enum Kind { OPENAI, ANTHROPIC }

    /** A request as received. */
    public record Received(String method, String path, Map<String, List<String>> headers, JsonNode body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** A scripted reply: status, optional body and retry-after. */
    public record Scripted(int status, String errorType, String message, String retryAfter) {
    }

    public static final String KEY = "test-key-0123456789";

    private final Kind kind;
    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Scripted> script = new ConcurrentLinkedQueue<>();
    private final AtomicInteger completions = new AtomicInteger();
    private final AtomicInteger streamsCut = new AtomicInteger();
    private final AtomicInteger streamsCompleted = new AtomicInteger();
    private volatile Duration delay = Duration.ZERO;
    private volatile Duration eventDelay = Duration.ZERO;
    private volatile boolean chargeMaxTokens;
    private volatile Scripted always;

    public FakeLlmServer(Kind kind) {
        this.kind = kind;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base URL to configure: {@code http://127.0.0.1:port/v1} for OpenAI, without /v1 for Anthropic. */
    public String baseUrl() {
        String root = "http://127.0.0.1:" + server.getAddress().getPort();
        return kind == Kind.OPENAI ? root + "/v1" : root;
    }

    public List<Received> received() {
        return received;
    }

    /** Successful completions served. */
    public int completions() {
        return completions.get();
    }

    public void enqueue(int status, String errorType, String message, String retryAfter) {
        script.add(new Scripted(status, errorType, message, retryAfter));
    }

    /** Every request fails this way until {@code failAlways(0, ...)} clears it. */
    public void failAlways(int status, String errorType, String message) {
        always = status == 0 ? null : new Scripted(status, errorType, message, null);
    }

    public void delay(Duration delay) {
        this.delay = delay;
    }

    /** The pause before each event of a streamed answer. */
    public void eventDelay(Duration delay) {
        this.eventDelay = delay;
    }

    /** Report every answer as using all its max_tokens (a budget's worst case). */
    public void chargeMaxTokens(boolean charge) {
        this.chargeMaxTokens = charge;
    }

    /** Streams whose client (the gateway) closed the connection before the last event. */
    public int streamsCut() {
        return streamsCut.get();
    }

    /** Streams sent to their end. */
    public int streamsCompleted() {
        return streamsCompleted.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        JsonNode body = Json.tree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                Map.copyOf(exchange.getRequestHeaders()), body));
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String expectedPath = kind == Kind.OPENAI ? "/v1/chat/completions" : "/v1/messages";
        if (!exchange.getRequestMethod().equals("POST") || !exchange.getRequestURI().getPath().equals(expectedPath)) {
            reply(exchange, 404, error("not_found_error", "Unknown request URL"), null);
            return;
        }
        if (!authorised(exchange)) {
            reply(exchange, 401, error(kind == Kind.OPENAI ? "invalid_request_error" : "authentication_error",
                    kind == Kind.OPENAI ? "Incorrect API key provided." : "invalid x-api-key"), null);
            return;
        }
        Scripted next = always != null ? always : script.poll();
        if (next != null) {
            reply(exchange, next.status(), error(next.errorType(), next.message()), next.retryAfter());
            return;
        }
        completions.incrementAndGet();
        if (body.path("stream").asBoolean(false)) {
            stream(exchange, kind == Kind.OPENAI ? openAiEvents(body) : anthropicEvents(body));
            return;
        }
        reply(exchange, 200, kind == Kind.OPENAI ? openAiAnswer(body) : anthropicAnswer(body), null);
    }

    /** Words of the answer, each a content event as providers send them (a space before all but the first). */
    private static List<String> pieces(String text) {
        String[] words = text.split(" ");
        java.util.ArrayList<String> pieces = new java.util.ArrayList<>();
        for (int i = 0; i < words.length; i++) {
            pieces.add(i == 0 ? words[i] : " " + words[i]);
        }
        return pieces;
    }

    private int completionTokens(JsonNode body, String text) {
        int maxTokens = body.has("max_completion_tokens") ? body.path("max_completion_tokens").asInt() : body.path("max_tokens").asInt();
        return chargeMaxTokens && maxTokens > 0 ? maxTokens : tokens(text);
    }

    /**
     * OpenAI's stream, byte for byte: {@code data: <chunk>} and a blank line per event, the role in
     * the first delta, then content deltas, an empty delta with finish_reason, with
     * {@code stream_options.include_usage} every chunk carrying {@code "usage": null} and a last one
     * with empty choices and the usage, then {@code data: [DONE]}.
     */
    private List<String> openAiEvents(JsonNode body) {
        String text = answerText(body);
        boolean usage = body.path("stream_options").path("include_usage").asBoolean(false);
        String model = body.path("model").asText() + "-0613";
        java.util.ArrayList<String> events = new java.util.ArrayList<>();
        events.add(openAiChunk(model, Json.MAPPER.createObjectNode().put("role", "assistant").put("content", ""), null, usage));
        for (String piece : pieces(text)) {
            events.add(openAiChunk(model, Json.MAPPER.createObjectNode().put("content", piece), null, usage));
        }
        events.add(openAiChunk(model, Json.MAPPER.createObjectNode(), "stop", usage));
        if (usage) {
            ObjectNode last = Json.MAPPER.createObjectNode();
            last.put("id", "chatcmpl-stream");
            last.put("object", "chat.completion.chunk");
            last.put("created", 1_700_000_000);
            last.put("model", model);
            last.put("system_fingerprint", "fp_test");
            last.putArray("choices");
            int in = tokens(body.at("/messages/0/content").asText());
            int out = completionTokens(body, text);
            last.putObject("usage").put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in + out);
            events.add("data: " + Json.write(last) + "\n\n");
        }
        events.add("data: [DONE]\n\n");
        return events;
    }

    private static String openAiChunk(String model, ObjectNode delta, String finishReason, boolean usage) {
        ObjectNode chunk = Json.MAPPER.createObjectNode();
        chunk.put("id", "chatcmpl-stream");
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", 1_700_000_000);
        chunk.put("model", model);
        chunk.put("system_fingerprint", "fp_test");
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        if (usage) {
            chunk.putNull("usage");
        }
        return "data: " + Json.write(chunk) + "\n\n";
    }

    /**
     * Anthropic's stream, byte for byte: {@code event: <type>} and {@code data: <json>} per event —
     * message_start (with input usage), content_block_start, ping, a content_block_delta of
     * text_delta per piece, content_block_stop, message_delta (stop_reason and output usage),
     * message_stop.
     */
    private List<String> anthropicEvents(JsonNode body) {
        String text = answerText(body);
        String model = body.path("model").asText();
        int in = tokens(body.at("/messages/0/content").asText());
        java.util.ArrayList<String> events = new java.util.ArrayList<>();
        ObjectNode start = Json.MAPPER.createObjectNode().put("type", "message_start");
        ObjectNode message = start.putObject("message");
        message.put("id", "msg_stream").put("type", "message").put("role", "assistant");
        message.putArray("content");
        message.put("model", model).putNull("stop_reason").putNull("stop_sequence");
        message.putObject("usage").put("input_tokens", in).put("output_tokens", 1);
        events.add(anthropicEvent("message_start", start));
        ObjectNode blockStart = Json.MAPPER.createObjectNode().put("type", "content_block_start").put("index", 0);
        blockStart.putObject("content_block").put("type", "text").put("text", "");
        events.add(anthropicEvent("content_block_start", blockStart));
        events.add(anthropicEvent("ping", Json.MAPPER.createObjectNode().put("type", "ping")));
        for (String piece : pieces(text)) {
            ObjectNode delta = Json.MAPPER.createObjectNode().put("type", "content_block_delta").put("index", 0);
            delta.putObject("delta").put("type", "text_delta").put("text", piece);
            events.add(anthropicEvent("content_block_delta", delta));
        }
        events.add(anthropicEvent("content_block_stop", Json.MAPPER.createObjectNode().put("type", "content_block_stop").put("index", 0)));
        ObjectNode end = Json.MAPPER.createObjectNode().put("type", "message_delta");
        end.putObject("delta").put("stop_reason", "end_turn").putNull("stop_sequence");
        end.putObject("usage").put("output_tokens", completionTokens(body, text));
        events.add(anthropicEvent("message_delta", end));
        events.add(anthropicEvent("message_stop", Json.MAPPER.createObjectNode().put("type", "message_stop")));
        return events;
    }

    private static String anthropicEvent(String type, ObjectNode data) {
        return "event: " + type + "\ndata: " + Json.write(data) + "\n\n";
    }

    private void stream(HttpExchange exchange, List<String> events) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().add("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        try (var out = exchange.getResponseBody()) {
            for (String event : events) {
                if (!eventDelay.isZero()) {
                    Thread.sleep(eventDelay);
                }
                out.write(event.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            streamsCompleted.incrementAndGet();
        } catch (IOException e) {
            streamsCut.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    private boolean authorised(HttpExchange exchange) {
        var headers = exchange.getRequestHeaders();
        if (kind == Kind.OPENAI) {
            return ("Bearer " + KEY).equals(headers.getFirst("Authorization"));
        }
        return KEY.equals(headers.getFirst("x-api-key")) && "2023-06-01".equals(headers.getFirst("anthropic-version"));
    }

    private static String answerText(JsonNode body) {
        return "answer to: " + body.at("/messages/0/content").asText() + " (max_tokens=" + body.path("max_tokens").asInt()
                + ", temperature=" + body.path("temperature").asText() + ")";
    }

    private static int tokens(String text) {
        return Math.max(1, text.split("\\s+").length);
    }

    private ObjectNode openAiAnswer(JsonNode body) {
        String text = answerText(body);
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("id", "chatcmpl-test");
        answer.put("object", "chat.completion");
        answer.put("created", 1_700_000_000);
        answer.put("model", body.path("model").asText() + "-0613");
        ObjectNode choice = answer.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", text);
        choice.putNull("logprobs");
        choice.put("finish_reason", "stop");
        int in = tokens(body.at("/messages/0/content").asText());
        int out = completionTokens(body, text);
        answer.putObject("usage").put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in + out);
        return answer;
    }

    private ObjectNode anthropicAnswer(JsonNode body) {
        String text = answerText(body);
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("id", "msg_test");
        answer.put("type", "message");
        answer.put("role", "assistant");
        answer.put("model", body.path("model").asText());
        var content = answer.putArray("content");
        int split = text.length() / 2;
        content.addObject().put("type", "text").put("text", text.substring(0, split));
        content.addObject().put("type", "text").put("text", text.substring(split));
        answer.put("stop_reason", "end_turn");
        answer.putNull("stop_sequence");
        answer.putObject("usage").put("input_tokens", tokens(body.at("/messages/0/content").asText()))
                .put("output_tokens", completionTokens(body, text));
        return answer;
    }

    private ObjectNode error(String type, String message) {
        ObjectNode error = Json.MAPPER.createObjectNode();
        if (kind == Kind.ANTHROPIC) {
            error.put("type", "error");
            error.putObject("error").put("type", type).put("message", message);
        } else {
            error.putObject("error").put("message", message).put("type", type).putNull("param").putNull("code");
        }
        return error;
    }

    private static void reply(HttpExchange exchange, int status, JsonNode body, String retryAfter) throws IOException {
        byte[] bytes = Json.bytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        if (retryAfter != null) {
            exchange.getResponseHeaders().add("retry-after", retryAfter);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
