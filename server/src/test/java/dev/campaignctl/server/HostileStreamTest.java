package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.campaignctl.core.ai.AiConfig;
import dev.campaignctl.core.ai.GatewaySettings;
import dev.campaignctl.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An OpenAI-compatible upstream that sends odd but parseable chunks: the client must still get valid JSON, no usage unasked. */
class HostileStreamTest {

    private static final AtomicReference<byte[]> UPSTREAM = new AtomicReference<>();
    private static HttpServer upstream;
    private static GatewayFixture fixture;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (var out = exchange.getResponseBody()) {
                out.write(UPSTREAM.get());
            }
        });
        upstream.start();
        String base = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1";
        fixture = new GatewayFixture();
        port = fixture.startServer(new AiConfig("k", "gpt-4o", base, "k", "claude-3-5-sonnet-latest", base, null, Duration.ofHours(1),
                null, null, Duration.ofSeconds(10), 1, Duration.ofMillis(5), GatewaySettings.fromEnv(Map.of())));
    }

    @AfterAll
    static void stop() {
        fixture.close();
        upstream.stop(0);
    }

    /** Streams with the upstream sending {@code chunk} then [DONE]; returns every data line the client got, decoded strictly. */
    private static List<String> clientGets(byte[] chunk) throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes("data: ".getBytes(StandardCharsets.US_ASCII));
        wire.writeBytes(chunk);
        wire.writeBytes("\n\ndata: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        return clientGetsWire(wire.toByteArray());
    }

    private static HttpResponseHolder last;

    private record HttpResponseHolder(int status, String body) {
    }

    /** Streams with the upstream sending {@code wire} as its whole body. */
    private static List<String> clientGetsWire(byte[] wireBytes) throws Exception {
        return clientGetsWire(wireBytes, null);
    }

    /** As above, with {@code request} as the client's body when not null (and the upstream left as it is when {@code wireBytes} is null). */
    private static List<String> clientGetsWire(byte[] wireBytes, String request) throws Exception {
        String ask = "hi " + System.nanoTime();
        if (wireBytes != null) {
            UPSTREAM.set(wireBytes);
        }
        var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + GatewayFixture.TOKEN)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(request != null ? request : "{\"model\": \"gpt-4o\", \"stream\": true,"
                        + " \"messages\": [{\"role\": \"user\", \"content\": \"" + ask + "\"}]}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        last = new HttpResponseHolder(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        if (response.statusCode() == 502) {
            return List.of(); // refused as a broken provider: what the previous build did, acceptable
        }
        assertThat(response.statusCode()).isEqualTo(200);
        last = new HttpResponseHolder(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        String body = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(response.body())).toString();
        List<String> data = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data: ")) {
                data.add(line.substring(6));
            }
        }
        return data;
    }

    private static void assertEveryChunkIsJsonWithoutUsage(List<String> data) throws Exception {
        for (String d : data) {
            if (d.equals("[DONE]")) {
                continue;
            }
            assertThat(d).as("no BOM").doesNotStartWith("\uFEFF");
            JsonNode chunk = Json.MAPPER.readTree(d);
            assertThat(chunk.has("usage")).as("usage shown unasked: " + d).isFalse();
        }
    }

    @Test
    void aStringUsageIsCutWhole() throws Exception {
        assertEveryChunkIsJsonWithoutUsage(clientGets(("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}],\"usage\":\"n/a\"}")
                .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aByteOrderMarkDoesNotReachTheClient() throws Exception {
        assertEveryChunkIsJsonWithoutUsage(clientGets(("\uFEFF{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},"
                + "\"finish_reason\":\"stop\"}]}").getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aUtf16ChunkDoesNotReachTheClient() throws Exception {
        assertEveryChunkIsJsonWithoutUsage(clientGets(("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}").getBytes(StandardCharsets.UTF_16LE)));
    }

    /** An event whose data is empty (valid SSE; some proxies send it as a keep-alive) was skipped before; now it ends the stream with a 502. */
    @Test
    void anEmptyDataEventIsSkippedNotAFailure() throws Exception {
        List<String> data = clientGetsWire(("data: \n\ndata: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},"
                + "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
        assertThat(last.status()).as(last.body()).isEqualTo(200);
        assertThat(data).as(last.body()).hasSize(2);
        assertThat(Json.MAPPER.readTree(data.get(0)).at("/choices/0/delta/content").asText()).isEqualTo("hi");
    }

    /** A provider's answer with a number of a far exponent reaches the client as written, then from the cache too (it was a 500). */
    @Test
    void aWholeAnswerWithAFarExponentReachesTheClientAsWrittenAndIsCached() throws Exception {
        UPSTREAM.set(("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2},\"x\":1E+999999999}")
                .getBytes(StandardCharsets.UTF_8));
        String ask = "{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"far " + System.nanoTime() + "\"}]";
        for (String cache : List.of("MISS", "HIT")) {
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + GatewayFixture.TOKEN)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(ask + "}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.headers().firstValue("X-Cache")).contains(cache);
            assertThat(response.body()).contains("\"x\":1E+999999999", "\"content\":\"hi\"");
        }
        List<String> replayed = clientGetsWire(null, ask + ", \"stream\": true}");
        assertThat(last.status()).as(last.body()).isEqualTo(200);
        assertThat(replayed).last().isEqualTo("[DONE]");
    }
}
