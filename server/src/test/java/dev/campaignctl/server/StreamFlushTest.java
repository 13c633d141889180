package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.campaignctl.core.ai.AiConfig;
import dev.campaignctl.core.ai.AiGateway;
import dev.campaignctl.core.ai.ChatGateway;
import dev.campaignctl.core.ai.GatewaySettings;
import dev.campaignctl.core.ai.LocalAiApi;
import dev.campaignctl.core.ai.RateLimiter;
import dev.campaignctl.core.ai.keys.KeyStore;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.testing.TestDatabases;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A stream's events reach the client while the provider is slow to send the next, also when a
 * keep-alive comment follows an event in the same packet (as OpenRouter and others send): the
 * gateway writes events that arrive together in one go, but sends what it wrote before it waits.
 */
class StreamFlushTest {

    static String chunk(String content, String finish) {
        return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}\n\n";
    }

    @Test
    void anEventFollowedByAKeepAliveIsNotHeldWhileTheProviderIsSlow() throws Exception {
        run(": keep-alive\n\n");
    }

    @Test
    void anEventIsNotHeldWhileTheProviderIsSlow() throws Exception {
        run("");
    }

    private void run(String extra) throws Exception {
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(chunk("one", null).getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(200);
                // The second event, and a keep-alive comment in the same write, as OpenRouter and others send.
                out.write((chunk("two", null) + extra).getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(1500);
                out.write((chunk("three", "stop") + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                        + "\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}\n\n"
                        + "data: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        upstream.start();
        String base = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1";
        String token = "admin-token-stream";
        Database database = TestDatabases.fresh();
        AiConfig config = new AiConfig("sk-test", "gpt-4o", base, "sk-ant", "claude-3-5-sonnet-latest", base, null,
                Duration.ofHours(1), null, null, Duration.ofSeconds(10), 1, Duration.ofMillis(5),
                GatewaySettings.fromEnv(Map.of()));
        LocalAiApi api = new LocalAiApi(AiGateway.fromConfig(config), true);
        RateLimiter limiter = new RateLimiter(null);
        ChatGateway chat = ChatGateway.of(api.gateway(), config, new KeyStore(database.dataSource()), limiter);
        AiServer server = AiServer.start("127.0.0.1", 0, ServerLimits.DEFAULTS, null, api, chat, token);
        try {
            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"gpt-4o\", \"stream\": true, \"messages\":"
                            + " [{\"role\": \"user\", \"content\": \"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofInputStream());
            long start = System.nanoTime();
            List<String> arrivals = new ArrayList<>();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("data: ")) {
                        String content = line.contains("\"content\":\"") ? line.replaceAll(".*\"content\":\"([^\"]*)\".*", "$1") : line.substring(6, Math.min(line.length(), 20));
                        arrivals.add(content + "@" + (System.nanoTime() - start) / 1_000_000 + "ms");
                    }
                }
            }
            long twoAt = Long.parseLong(arrivals.get(1).replaceAll(".*@(\\d+)ms", "$1"));
            // "two" reaches the client about 200 ms in, while the provider still holds "three" back.
            assertThat(twoAt).as("ms until event 'two' reached the client: " + arrivals).isLessThan(1000);
            assertThat(arrivals).as("one, two, three and [DONE]").hasSize(4);
        } finally {
            server.close();
            chat.close();
            limiter.close();
            api.close();
            database.close();
            upstream.stop(0);
        }
    }
}
