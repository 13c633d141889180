package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.testing.FakeLlmServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/chat/completions} over fake OpenAI and Anthropic upstreams that speak their wire
 * formats: what the gateway sends upstream, and what it answers, whole and streamed.
 */
class ChatCompletionsTest {

    private static GatewayFixture fixture;
    private static int port;
    private static TestClient admin;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        fixture = new GatewayFixture();
        port = fixture.startServer();
        admin = fixture.admin(port);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    /** A streamed answer as the client received it: the data of each event, in order, and the head. */
    record Events(int status, Map<String, List<String>> headers, List<String> data) {
        List<JsonNode> chunks() {
            return data.stream().filter(d -> !d.equals("[DONE]")).map(Json::tree).toList();
        }

        String content() {
            StringBuilder text = new StringBuilder();
            chunks().forEach(c -> text.append(c.at("/choices/0/delta/content").asText("")));
            return text.toString();
        }
    }

    static Events stream(int port, String authorization, String body) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json").header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        List<String> data = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                }
            }
        }
        return new Events(response.statusCode(), response.headers().map(), data);
    }

    private static String bearer() {
        return "Bearer " + GatewayFixture.TOKEN;
    }

    @Test
    void gptModelsGoToOpenAiWithTheRequestAsSent() {
        int before = fixture.openai.received().size();
        TestClient.Reply reply = admin.post("/v1/chat/completions", "{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\","
                + " \"content\": \"Say hi\"}], \"max_tokens\": 20, \"temperature\": 0.2, \"seed\": 7, \"user\": \"u1\"}");

        assertThat(reply.status()).as(String.valueOf(reply.body())).isEqualTo(200);
        assertThat(reply.body().get("object").asText()).isEqualTo("chat.completion");
        assertThat(reply.body().at("/choices/0/message/content").asText()).startsWith("answer to: Say hi");
        assertThat(reply.body().at("/usage/total_tokens").asInt()).isPositive();
        FakeLlmServer.Received sent = fixture.openai.received().get(before);
        assertThat(sent.path()).isEqualTo("/v1/chat/completions");
        assertThat(sent.header("Authorization")).isEqualTo("Bearer " + FakeLlmServer.KEY);
        assertThat(sent.body().get("model").asText()).isEqualTo("gpt-4o");
        assertThat(sent.body().get("seed").asInt()).isEqualTo(7);
        assertThat(sent.body().get("max_tokens").asInt()).isEqualTo(20);
        assertThat(sent.body().has("stream")).isFalse();
        assertThat(sent.body().at("/messages/0/content").asText()).isEqualTo("Say hi");
    }

    @Test
    void claudeModelsAreTranslatedToAnthropicAndBack() {
        int before = fixture.anthropic.received().size();
        TestClient.Reply reply = admin.post("/v1/chat/completions", "{\"model\": \"smart\", \"messages\": ["
                + "{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Name a colour\"}],"
                + " \"max_tokens\": 50, \"temperature\": 1.5, \"stop\": [\"END\"]}");

        assertThat(reply.status()).as(String.valueOf(reply.body())).isEqualTo(200);
        FakeLlmServer.Received sent = fixture.anthropic.received().get(before);
        assertThat(sent.path()).isEqualTo("/v1/messages");
        assertThat(sent.header("x-api-key")).isEqualTo(FakeLlmServer.KEY);
        assertThat(sent.header("anthropic-version")).isEqualTo("2023-06-01");
        JsonNode body = sent.body();
        assertThat(body.get("model").asText()).isEqualTo("claude-3-5-sonnet-latest");
        assertThat(body.get("system").asText()).isEqualTo("Be brief.");
        assertThat(body.get("messages")).hasSize(1);
        assertThat(body.at("/messages/0/role").asText()).isEqualTo("user");
        assertThat(body.at("/messages/0/content").asText()).isEqualTo("Name a colour");
        assertThat(body.get("max_tokens").asInt()).isEqualTo(50);
        assertThat(body.get("temperature").asDouble()).isEqualTo(1.0);
        assertThat(body.at("/stop_sequences/0").asText()).isEqualTo("END");

        JsonNode answer = reply.body();
        assertThat(answer.get("object").asText()).isEqualTo("chat.completion");
        assertThat(answer.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(answer.at("/choices/0/message/content").asText()).isEqualTo("answer to: Name a colour (max_tokens=50, temperature=1.0)");
        assertThat(answer.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(answer.at("/usage/prompt_tokens").asInt()).isEqualTo(3);
        assertThat(answer.at("/usage/total_tokens").asInt())
                .isEqualTo(answer.at("/usage/prompt_tokens").asInt() + answer.at("/usage/completion_tokens").asInt());
    }

    /**
     * Events that arrive together may leave together, but none waits in the gateway while the
     * provider is slow to send the next: each reaches the client while the provider is still writing.
     */
    @Test
    void aSlowProvidersEventsEachReachTheClientBeforeItSendsTheNext() throws Exception {
        fixture.openai.eventDelay(Duration.ofMillis(60));
        try {
            HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/v1/chat/completions")).header("Content-Type", "application/json").header("Authorization", bearer())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"gpt-4o\", \"stream\": true, \"messages\":"
                            + " [{\"role\": \"user\", \"content\": \"one word at a time\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            int completedBefore = fixture.openai.streamsCompleted();
            List<Integer> completedAtEachEvent = new ArrayList<>();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("data: {")) {
                        completedAtEachEvent.add(fixture.openai.streamsCompleted() - completedBefore);
                    }
                }
            }
            assertThat(completedAtEachEvent).hasSizeGreaterThan(3);
            // Every content event but the provider's last ones arrived while its stream was still open.
            assertThat(completedAtEachEvent.subList(0, completedAtEachEvent.size() - 2)).containsOnly(0);
        } finally {
            fixture.openai.eventDelay(Duration.ZERO);
        }
    }

    @Test
    void anOpenAiStreamAlwaysAsksForUsageButShowsItOnlyWhenAsked() throws Exception {
        int before = fixture.openai.received().size();
        Events events = stream(port, bearer(), "{\"model\": \"gpt-4o\", \"stream\": true, \"messages\": [{\"role\": \"user\","
                + " \"content\": \"stream without usage\"}]}");

        assertThat(events.status()).isEqualTo(200);
        assertThat(events.headers().get("content-type").get(0)).startsWith("text/event-stream");
        assertThat(events.data()).last().isEqualTo("[DONE]");
        assertThat(events.content()).isEqualTo("answer to: stream without usage (max_tokens=0, temperature=)");
        assertThat(events.chunks()).allSatisfy(chunk -> {
            assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.has("usage")).isFalse();
            assertThat(chunk.get("choices")).isNotEmpty();
        });
        JsonNode sent = fixture.openai.received().get(before).body();
        assertThat(sent.get("stream").asBoolean()).isTrue();
        assertThat(sent.at("/stream_options/include_usage").asBoolean()).isTrue();
    }

    @Test
    void anAnthropicStreamIsTranslatedToOpenAiChunksWithUsageLast() throws Exception {
        int before = fixture.anthropic.received().size();
        Events events = stream(port, bearer(), "{\"model\": \"claude-3-5-sonnet-latest\", \"stream\": true, \"max_tokens\": 30,"
                + " \"stream_options\": {\"include_usage\": true}, \"messages\": [{\"role\": \"user\", \"content\": \"stream from claude\"}]}");

        assertThat(events.status()).isEqualTo(200);
        List<JsonNode> chunks = events.chunks();
        assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(events.content()).isEqualTo("answer to: stream from claude (max_tokens=30, temperature=)");
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertThat(finish.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        JsonNode usage = chunks.get(chunks.size() - 1);
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.at("/usage/prompt_tokens").asInt()).isEqualTo(3);
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(7);
        assertThat(events.data()).last().isEqualTo("[DONE]");
        JsonNode sent = fixture.anthropic.received().get(before).body();
        assertThat(sent.get("stream").asBoolean()).isTrue();
        assertThat(sent.get("max_tokens").asInt()).isEqualTo(30);
    }

    @Test
    void aSecondIdenticalStreamIsACacheHitReplayedAsAStream() throws Exception {
        String body = "{\"model\": \"gpt-4o\", \"stream\": true, \"stream_options\": {\"include_usage\": true},"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"cache me\"}]}";
        Events first = stream(port, bearer(), body);
        int upstreamCalls = fixture.openai.completions();
        Events second = stream(port, bearer(), body);

        assertThat(first.headers().get("x-cache")).containsExactly("MISS");
        assertThat(second.headers().get("x-cache")).containsExactly("HIT");
        assertThat(fixture.openai.completions()).isEqualTo(upstreamCalls);
        assertThat(second.content()).isEqualTo(first.content());
        assertThat(second.data()).last().isEqualTo("[DONE]");
        assertThat(second.chunks().get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        JsonNode usage = second.chunks().get(second.chunks().size() - 1);
        assertThat(usage.get("usage")).isEqualTo(first.chunks().get(first.chunks().size() - 1).get("usage"));
    }

    @Test
    void theBearerSchemeIsReadInAnyCase() {
        assertThat(admin.withAuthorization("bearer " + GatewayFixture.TOKEN).get("/v1/models").status()).isEqualTo(200);
        assertThat(admin.withAuthorization("BEARER " + GatewayFixture.TOKEN).get("/v1/models").status()).isEqualTo(200);
        assertThat(admin.withAuthorization("bearer nope").get("/v1/models").status()).isEqualTo(401);
    }

    @Test
    void errorsTheHttpLayerRaisesBeforeAnyRouteAreInOpenAisShapeToo() {
        TestClient.Reply huge = admin.send("GET", "/v1/models", null, null, Map.of("X-Padding", "a".repeat(70_000)));
        assertThat(huge.status()).isBetween(400, 499);
        assertThat(huge.body().at("/error/message").asText()).isNotEmpty();
        assertThat(huge.body().at("/error/type").asText()).isNotEmpty();
    }

    @Test
    void errorsComeInOpenAisShape() {
        TestClient.Reply missing = admin.post("/v1/chat/completions", "{\"model\": \"gpt-4o\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(missing.body().at("/error/param").asText()).isEqualTo("messages");
        assertThat(missing.body().at("/error/message").asText()).contains("messages");

        TestClient.Reply badKey = admin.withAuthorization("Bearer sk-cc-nope").get("/v1/models");
        assertThat(badKey.status()).isEqualTo(401);
        assertThat(badKey.body().at("/error/type").asText()).isEqualTo("authentication_error");
        assertThat(badKey.body().at("/error/code").asText()).isEqualTo("invalid_api_key");

        TestClient.Reply toolsToClaude = admin.post("/v1/chat/completions", "{\"model\": \"claude-3-5-sonnet-latest\", \"tools\": [],"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}");
        assertThat(toolsToClaude.status()).isEqualTo(400);
        assertThat(toolsToClaude.body().at("/error/param").asText()).isEqualTo("tools");

        // 13 bytes that would be a billion digits written out (they were a 500 for the cache key and the
        // provider): they go upstream as the client wrote them.
        for (String stream : List.of("false", "true")) {
            int before = fixture.openai.received().size();
            TestClient.Reply huge = admin.post("/v1/chat/completions", "{\"model\": \"gpt-4o\", \"stream\": " + stream
                    + ", \"messages\": [{\"role\": \"user\", \"content\": \"stream " + stream + "\"}], \"logit_bias\": {\"50256\": 1e-999999999}}");
            assertThat(huge.status()).isEqualTo(200);
            FakeLlmServer.Received sent = fixture.openai.received().get(before);
            assertThat(sent.body().at("/logit_bias/50256").decimalValue()).isEqualTo(new BigDecimal("1e-999999999"));
            assertThat(Integer.parseInt(sent.header("Content-Length"))).isLessThan(300);
        }
    }

    @Test
    void aVirtualKeyMayCallItsModelsAndReadItsOwnUsageOnly() throws Exception {
        JsonNode key = fixture.createKey(port, "{\"name\": \"limited\", \"models\": [\"gpt-4o\"], \"rpm\": 2}");
        JsonNode other = fixture.createKey(port, "{\"name\": \"other\"}");
        TestClient client = new TestClient(port, null, null).withAuthorization("Bearer " + key.get("key").asText());
        String ask = "{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"key call\"}]}";

        assertThat(client.post("/v1/chat/completions", ask).status()).isEqualTo(200);
        TestClient.Reply forbiddenModel = client.post("/v1/chat/completions",
                "{\"model\": \"claude-3-5-sonnet-latest\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}");
        assertThat(forbiddenModel.status()).isEqualTo(403);
        assertThat(forbiddenModel.body().at("/error/type").asText()).isEqualTo("permission_error");
        assertThat(client.get("/v1/models").body().findValuesAsText("id")).containsExactly("gpt-4o");
        assertThat(client.get("/v1/keys").status()).isEqualTo(403);
        assertThat(client.get("/providers").status()).isEqualTo(403);
        assertThat(client.get("/v1/keys/" + other.get("id").asLong() + "/usage").status()).isEqualTo(403);
        fixture.awaitSettled(key.get("id").asLong());
        TestClient.Reply usage = client.get("/v1/keys/" + key.get("id").asLong() + "/usage");
        assertThat(usage.status()).isEqualTo(200);
        assertThat(usage.body().get("spent_tokens").asLong()).isPositive();
        assertThat(usage.body().at("/models/0/model").asText()).isEqualTo("gpt-4o");
        assertThat(usage.body().at("/models/0/requests").asLong()).isEqualTo(1);

        TestClient.Reply third = client.post("/v1/chat/completions", ask.replace("key call", "third"));
        TestClient.Reply fourth = client.post("/v1/chat/completions", ask.replace("key call", "fourth"));
        assertThat(third.status()).isEqualTo(200);
        assertThat(fourth.status()).isEqualTo(429);
        assertThat(fourth.body().at("/error/code").asText()).isEqualTo("rate_limit_exceeded");

        assertThat(admin.send("DELETE", "/v1/keys/" + key.get("id").asLong(), null, null).status()).isEqualTo(200);
        assertThat(client.get("/v1/models").status()).isEqualTo(401);
    }
}
