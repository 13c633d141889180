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
    private volatile Duration delay = Duration.ZERO;
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
        reply(exchange, 200, kind == Kind.OPENAI ? openAiAnswer(body) : anthropicAnswer(body), null);
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

    private static ObjectNode openAiAnswer(JsonNode body) {
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
        int out = tokens(text);
        answer.putObject("usage").put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in + out);
        return answer;
    }

    private static ObjectNode anthropicAnswer(JsonNode body) {
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
        answer.putObject("usage").put("input_tokens", tokens(body.at("/messages/0/content").asText())).put("output_tokens", tokens(text));
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
