package dev.campaignctl.bench;

import dev.campaignctl.core.ai.AiConfig;
import dev.campaignctl.core.ai.AiGateway;
import dev.campaignctl.core.ai.LocalAiApi;
import dev.campaignctl.server.AiServer;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The AI gateway's own cost: a minimal OpenAI-compatible provider on loopback answers at once; the
 * benchmark times requests to that provider directly and through {@code POST /generate} (cache
 * off), and cache hits, each from 16 concurrent clients. Added latency = gateway − direct, per
 * percentile. Run: {@code scripts/bench-ai [REQUESTS_PER_CLIENT]}.
 */
public final class AiLatencyBench {

    private static final int CLIENTS = 16;
    private static final byte[] ANSWER = ("{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"gpt-4\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"Loyalty programs keep customers coming back.\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12}}")
            .getBytes(StandardCharsets.UTF_8);

    private AiLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--serve")) {
            serveOnly();
            return;
        }
        int perClient = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        WebServer provider = provider();
        String providerUrl = "http://127.0.0.1:" + provider.port() + "/v1";
        AiConfig config = config(providerUrl);
        try (AiServer server = AiServer.start("127.0.0.1", 0, new LocalAiApi(AiGateway.fromConfig(config), true), null)) {
            String gateway = "http://127.0.0.1:" + server.port() + "/generate";
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String direct = "{\"model\":\"gpt-4\",\"messages\":[{\"role\":\"user\",\"content\":\"p\"}],\"max_tokens\":100,\"temperature\":0.7}";
            AtomicInteger unique = new AtomicInteger();
            run(client, providerUrl + "/chat/completions", () -> direct, perClient / 2);
            run(client, gateway, () -> "{\"prompt\":\"warm " + unique.incrementAndGet() + "\",\"use_cache\":false}", perClient / 2);
            long[] base = run(client, providerUrl + "/chat/completions", () -> direct, perClient);
            long[] through = run(client, gateway, () -> "{\"prompt\":\"p " + unique.incrementAndGet() + "\",\"use_cache\":false}", perClient);
            run(client, gateway, () -> "{\"prompt\":\"hot\"}", 1);
            long[] hits = run(client, gateway, () -> "{\"prompt\":\"hot\"}", perClient);
            System.out.printf("provider direct: p50 %.3f ms, p99 %.3f ms (%d clients)%n", ms(base[0]), ms(base[1]), CLIENTS);
            System.out.printf("through gateway (cache off): p50 %.3f ms, p99 %.3f ms%n", ms(through[0]), ms(through[1]));
            System.out.printf("added by the gateway: p50 %.3f ms, p99 %.3f ms%n", ms(through[0] - base[0]), ms(through[1] - base[1]));
            System.out.printf("cache hit end to end: p50 %.3f ms, p99 %.3f ms%n", ms(hits[0]), ms(hits[1]));
        } finally {
            provider.stop();
        }
    }

    /**
     * Starts the fake provider and the gateway, prints {@code provider=URL gateway=URL} and waits, so
     * an external load generator (wrk) can measure without sharing this JVM's CPU with its clients.
     */
    private static void serveOnly() throws Exception {
        WebServer provider = provider();
        String providerUrl = "http://127.0.0.1:" + provider.port() + "/v1";
        AiConfig config = config(providerUrl);
        AiServer server = AiServer.start("127.0.0.1", 0, new LocalAiApi(AiGateway.fromConfig(config), true), null);
        System.out.println("provider=" + providerUrl + "/chat/completions gateway=http://127.0.0.1:" + server.port() + "/generate");
        System.out.flush();
        Thread.currentThread().join();
    }

    /**
     * An OpenAI-compatible provider that answers at once, so what is measured is the gateway. It runs
     * on Helidon because that is the cheapest server at hand: on two cores every microsecond the
     * stand-in spends is taken from the gateway under test.
     */
    private static WebServer provider() {
        return WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(routing -> routing.post("/v1/chat/completions", (request, response) -> {
                    request.content().consume();
                    response.header(HeaderNames.CONTENT_TYPE, "application/json");
                    response.send(ANSWER);
                }))
                .build()
                .start();
    }

    private static AiConfig config(String providerUrl) {
        return new AiConfig("bench-key", "gpt-4", providerUrl, null, null, null, null, Duration.ofHours(1),
                null, null, Duration.ofSeconds(10), 0, Duration.ofMillis(10));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** Returns {p50, p99} in nanoseconds over CLIENTS × perClient requests. */
    private static long[] run(HttpClient client, String url, Supplier<String> body, int perClient) throws Exception {
        List<Long> samples = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(CLIENTS)) {
            List<Future<?>> runs = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body.get())).build();
                        long start = System.nanoTime();
                        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        samples.add(System.nanoTime() - start);
                        if (response.statusCode() != 200) {
                            throw new IllegalStateException(url + " answered " + response.statusCode());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        }
        List<Long> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        return new long[] {sorted.get(sorted.size() / 2), sorted.get((int) (sorted.size() * 0.99))};
    }
}
