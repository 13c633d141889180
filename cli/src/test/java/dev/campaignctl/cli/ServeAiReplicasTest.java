package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.testing.FakeLlmServer;
import dev.campaignctl.core.testing.TestDatabases;
import dev.campaignctl.server.ServerState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real {@code serve ai --db-url} processes on one PostgreSQL share a key's budget: 64
 * concurrent requests spread over both never spend more than it.
 */
class ServeAiReplicasTest {

    private static final String TOKEN = "replica-token-" + System.nanoTime();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    private Process serveAi(Path home, String dbUrl, FakeLlmServer openai) throws IOException {
        Files.createDirectories(home);
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "ai", "--host", "127.0.0.1", "--port", "0", "--data-dir", home.toString(),
                "--db-url", dbUrl, "--db-user", "postgres")
                .redirectErrorStream(true).redirectOutput(home.resolve("serve.log").toFile());
        builder.environment().put("OPENAI_API_KEY", FakeLlmServer.KEY);
        builder.environment().put("OPENAI_BASE_URL", openai.baseUrl());
        builder.environment().put("AI_API_TOKEN", TOKEN);
        return builder.start();
    }

    private static String awaitUrl(Path home, Process process) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("serve ai exited:\n" + Files.readString(home.resolve("serve.log")));
            }
            return new ServerState(home).aiUrl().isPresent();
        });
        return new ServerState(home).aiUrl().orElseThrow();
    }

    private static HttpResponse<String> post(String url, String authorization, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header("Authorization", authorization).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void twoServeAiProcessesOnOneDatabaseNeverOverspendAKey() throws Exception {
        String dbUrl = TestDatabases.newDatabaseUrl();
        try (FakeLlmServer openai = new FakeLlmServer(FakeLlmServer.Kind.OPENAI)) {
            openai.chargeMaxTokens(true);
            openai.delay(Duration.ofMillis(30));
            Process first = serveAi(dir.resolve("a"), dbUrl, openai);
            Process second = null;
            try {
                String firstUrl = awaitUrl(dir.resolve("a"), first);
                second = serveAi(dir.resolve("b"), dbUrl, openai);
                String secondUrl = awaitUrl(dir.resolve("b"), second);
                HttpResponse<String> created = post(firstUrl + "/v1/keys", "Bearer " + TOKEN,
                        "{\"name\": \"replicas\", \"budget_tokens\": 10000}");
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                JsonNode key = Json.tree(created.body());
                List<String> urls = List.of(firstUrl, secondUrl);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < 64; i++) {
                        String url = urls.get(i % 2) + "/v1/chat/completions";
                        String body = "{\"model\": \"gpt-4o\", \"max_tokens\": 1000, \"messages\": [{\"role\": \"user\", \"content\": \"replica " + i + "\"}]}";
                        answers.add(clients.submit(() -> {
                            go.await();
                            return post(url, "Bearer " + key.get("key").asText(), body);
                        }));
                    }
                    go.countDown();
                }
                int ok = 0;
                long answered = 0;
                for (Future<HttpResponse<String>> answer : answers) {
                    HttpResponse<String> response = answer.get();
                    if (response.statusCode() == 200) {
                        ok++;
                        answered += Json.tree(response.body()).at("/usage/total_tokens").asLong();
                    } else {
                        assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
                        assertThat(Json.tree(response.body()).at("/error/code").asText()).isEqualTo("budget_tokens_exceeded");
                    }
                }
                URI usageUrl = URI.create(secondUrl + "/v1/keys/" + key.get("id").asLong() + "/usage");
                // Settles commit just after their answers went out.
                await().atMost(Duration.ofSeconds(20)).until(() -> Json.tree(HTTP.send(HttpRequest.newBuilder(usageUrl)
                        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body())
                        .get("reserved_tokens").asLong() == 0);
                HttpResponse<String> usage = HTTP.send(HttpRequest.newBuilder(usageUrl)
                        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode spend = Json.tree(usage.body());
                assertThat(ok).isPositive().isLessThan(64);
                assertThat(spend.get("spent_tokens").asLong()).isLessThanOrEqualTo(10_000).isEqualTo(answered);
                assertThat(spend.get("reserved_tokens").asLong()).isZero();
            } finally {
                first.destroy();
                if (second != null) {
                    second.destroy();
                }
                first.waitFor();
                if (second != null) {
                    second.waitFor();
                }
            }
        }
    }
}
