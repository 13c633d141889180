package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.json.Json;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Budgets under real concurrency: 64 requests racing for a 10,000-token budget, on one server and
 * on two replicas sharing one database, never spend more than the budget; a client that leaves
 * mid-stream still has its spend settled and the provider's call cancelled.
 */
class BudgetTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private GatewayFixture fixture;

    @BeforeEach
    void start() {
        fixture = new GatewayFixture();
        // The worst case for a budget: every answer uses all of its max_tokens.
        fixture.openai.chargeMaxTokens(true);
        fixture.openai.delay(Duration.ofMillis(30));
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void sixtyFourConcurrentRequestsNeverSpendMoreThanTheBudget() throws Exception {
        int port = fixture.startServer();
        race(List.of(port));
    }

    @Test
    void twoReplicasOnOneDatabaseShareTheBudget() throws Exception {
        int first = fixture.startServer();
        int second = fixture.startServer();
        race(List.of(first, second));
    }

    private void race(List<Integer> ports) throws Exception {
        JsonNode key = fixture.createKey(ports.get(0), "{\"name\": \"race\", \"budget_tokens\": 10000}");
        long id = key.get("id").asLong();
        String secret = key.get("key").asText();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 64; i++) {
                int port = ports.get(i % ports.size());
                String body = "{\"model\": \"gpt-4o\", \"max_tokens\": 1000, \"messages\": [{\"role\": \"user\", \"content\": \"race " + i + "\"}]}";
                answers.add(clients.submit(() -> {
                    go.await();
                    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                            .header("Content-Type", "application/json").header("Authorization", "Bearer " + secret)
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                }));
            }
            go.countDown();
        }
        int ok = 0;
        int refused = 0;
        long answeredTokens = 0;
        for (Future<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get();
            JsonNode body = Json.tree(response.body());
            if (response.statusCode() == 200) {
                ok++;
                answeredTokens += body.at("/usage/total_tokens").asLong();
            } else {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
                assertThat(body.at("/error/code").asText()).isEqualTo("budget_tokens_exceeded");
                assertThat(body.at("/error/type").asText()).isEqualTo("insufficient_quota");
                assertThat(body.at("/error/message").asText()).contains("budget_tokens");
                refused++;
            }
        }
        fixture.awaitSettled(id);
        long spent = fixture.scalar("SELECT spent_tokens FROM ai_keys WHERE id = " + id);
        assertThat(ok + refused).isEqualTo(64);
        assertThat(ok).isPositive();
        assertThat(refused).isPositive();
        assertThat(spent).isLessThanOrEqualTo(10_000).isEqualTo(answeredTokens);
        assertThat(fixture.scalar("SELECT reserved_tokens FROM ai_keys WHERE id = " + id)).isZero();
        assertThat(fixture.scalar("SELECT count(*) FROM ai_reservations")).isZero();
        assertThat(fixture.scalar("SELECT sum(requests) FROM ai_usage WHERE key_id = " + id)).isEqualTo(ok);
    }

    @Test
    void aClientLeavingMidStreamIsStillChargedAndTheProviderCallCancelled() throws Exception {
        int port = fixture.startServer();
        fixture.openai.chargeMaxTokens(false);
        fixture.openai.eventDelay(Duration.ofMillis(150));
        JsonNode key = fixture.createKey(port, "{\"name\": \"leaver\", \"budget_tokens\": 100000}");
        long id = key.get("id").asLong();
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + key.get("key").asText())
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"gpt-4o\", \"stream\": true, \"max_tokens\": 500, \"messages\":"
                        + " [{\"role\": \"user\", \"content\": \"a long story please\"}]}")).build(), HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        String line;
        int events = 0;
        while ((line = lines.readLine()) != null && events < 2) {
            if (line.startsWith("data: ")) {
                events++;
            }
        }
        assertThat(events).isEqualTo(2);
        assertThat(fixture.scalar("SELECT reserved_tokens FROM ai_keys WHERE id = " + id)).isPositive();
        lines.close();

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(fixture.scalar("SELECT reserved_tokens FROM ai_keys WHERE id = " + id)).isZero();
            assertThat(fixture.scalar("SELECT spent_tokens FROM ai_keys WHERE id = " + id)).isPositive();
            assertThat(fixture.scalar("SELECT sum(requests) FROM ai_usage WHERE key_id = " + id)).isEqualTo(1);
            assertThat(fixture.openai.streamsCut()).isEqualTo(1);
        });
        assertThat(fixture.openai.streamsCompleted()).isZero();
    }
}
