package dev.campaignctl.bench;

import dev.campaignctl.core.ai.AiConfig;
import dev.campaignctl.core.ai.AiGateway;
import dev.campaignctl.core.ai.ChatGateway;
import dev.campaignctl.core.ai.LocalAiApi;
import dev.campaignctl.core.ai.RateLimiter;
import dev.campaignctl.core.ai.keys.KeySpec;
import dev.campaignctl.core.ai.keys.KeyStore;
import dev.campaignctl.core.ai.keys.VirtualKey;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.db.DbConfig;
import dev.campaignctl.server.AiServer;
import dev.campaignctl.server.ServerLimits;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The OpenAI-compatible API's own cost, over a stand-in OpenAI provider on loopback that answers at
 * once: p50 of whole answers, and of the time to the first event of streams, directly and through
 * {@code POST /v1/chat/completions} (cache off), from 16 concurrent clients; then the same with a
 * virtual key whose budget is reserved and settled on a durable embedded PostgreSQL, and the
 * reservation alone (reserve + settle, one client; a reservation is taken from the process's lease
 * on the key, and asks the database only every second or when the lease runs short). Run: {@code scripts/bench-gateway [REQUESTS_PER_CLIENT]}.
 */
public final class GatewayBench {

    private static final int CLIENTS = 16;
    private static final String TOKEN = "bench-admin-token";
    private static final byte[] ANSWER = ("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"Loyalty programs keep customers coming back.\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12}}")
            .getBytes(StandardCharsets.UTF_8);
    private static final List<byte[]> EVENTS = events();
    private static final AtomicInteger RESENT = new AtomicInteger();

    private GatewayBench() {
    }

    private static List<byte[]> events() {
        List<String> events = new ArrayList<>();
        String head = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":";
        events.add(head + "{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}");
        for (String word : "Loyalty programs keep customers coming back.".split(" ")) {
            events.add(head + "{\"content\":\"" + word + " \"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}");
        }
        events.add(head + "{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}");
        events.add("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12}}");
        events.add("[DONE]");
        return events.stream().map(e -> ("data: " + e + "\n\n").getBytes(StandardCharsets.UTF_8)).toList();
    }

    public static void main(String[] args) throws Exception {
        int perClient = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        // Portkey's open-source gateway (npm @portkey-ai/gateway), when scripts/bench-gateway could start it.
        String portkey = args.length > 1 ? args[1] : null;
        Path home = Files.createTempDirectory("campaignctl-bench-gateway");
        WebServer provider = provider();
        String providerUrl = "http://127.0.0.1:" + provider.port() + "/v1";
        AiConfig config = new AiConfig("bench-key", "gpt-4o", providerUrl, null, null, null, null, Duration.ofHours(1),
                null, null, Duration.ofSeconds(10), 0, Duration.ofMillis(10));
        try (Database database = Database.open(DbConfig.embedded(home));
             LocalAiApi api = new LocalAiApi(AiGateway.fromConfig(config), true);
             RateLimiter limiter = new RateLimiter(null)) {
            KeyStore keys = new KeyStore(database.dataSource(), database.separatePool("ai-settle", 4));
            try (ChatGateway chat = ChatGateway.of(api.gateway(), config, keys, limiter);
                 AiServer server = AiServer.start("127.0.0.1", 0, ServerLimits.DEFAULTS, null, api, chat, TOKEN)) {
                String key = keys.create(new KeySpec("bench", 1_000_000_000_000L, null, null, null, null), Instant.now()).key();
                String direct = providerUrl + "/chat/completions";
                String gateway = "http://127.0.0.1:" + server.port() + "/v1/chat/completions";
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                String whole = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"p\"}],\"max_tokens\":100}";
                String streamed = "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"p\"}],\"max_tokens\":100}";
                // Warm-up: the JIT compiles every path measured below.
                for (int round = 0; round < 2; round++) {
                    run(client, direct, null, whole, perClient / 2, false);
                    run(client, gateway, TOKEN, whole, perClient / 2, false);
                    run(client, gateway, key, whole, perClient / 2, false);
                    run(client, direct, null, streamed, perClient / 2, true);
                    run(client, gateway, TOKEN, streamed, perClient / 2, true);
                    run(client, gateway, key, streamed, perClient / 2, true);
                }
                long[] wholeDirect = run(client, direct, null, whole, perClient, false);
                long[] wholeGateway = run(client, gateway, TOKEN, whole, perClient, false);
                long[] wholeKeyed = run(client, gateway, key, whole, perClient, false);
                long[] streamDirect = run(client, direct, null, streamed, perClient, true);
                long[] streamGateway = run(client, gateway, TOKEN, streamed, perClient, true);
                long[] streamKeyed = run(client, gateway, key, streamed, perClient, true);
                long[] reservation = reservations(keys, keys.authenticate(key, Instant.now()).orElseThrow(), perClient);
                long[] wholePortkey = null;
                long[] streamPortkey = null;
                String portkeyStreamFailure = null;
                if (portkey != null) {
                    List<String> headers = List.of("x-portkey-provider", "openai", "x-portkey-custom-host", providerUrl,
                            "Authorization", "Bearer bench-key");
                    String through = portkey + "/v1/chat/completions";
                    runWith(client, through, headers, whole, perClient / 2, false);
                    wholePortkey = runWith(client, through, headers, whole, perClient, false);
                    try {
                        runWith(client, through, headers, streamed, perClient / 2, true);
                        streamPortkey = runWith(client, through, headers, streamed, perClient, true);
                    } catch (ExecutionException e) {
                        portkeyStreamFailure = e.getCause().getMessage();
                    }
                }

                System.out.printf("%d clients, %d requests each; p50 / p99 in ms (cache off; the key's budget reserved"
                        + " and settled on a durable embedded PostgreSQL)%n", CLIENTS, perClient);
                row("whole answer: provider direct", wholeDirect);
                row("whole answer: through gateway", wholeGateway);
                row("whole answer: through gateway, virtual key", wholeKeyed);
                System.out.printf("  added by the gateway: p50 %.3f ms; with a key: p50 %.3f ms%n",
                        ms(wholeGateway[0] - wholeDirect[0]), ms(wholeKeyed[0] - wholeDirect[0]));
                row("stream, first event: provider direct", streamDirect);
                row("stream, first event: through gateway", streamGateway);
                row("stream, first event: gateway, virtual key", streamKeyed);
                System.out.printf("  added time to first byte: p50 %.3f ms; with a key: p50 %.3f ms%n",
                        ms(streamGateway[0] - streamDirect[0]), ms(streamKeyed[0] - streamDirect[0]));
                if (wholePortkey != null) {
                    row("whole answer: through Portkey's gateway", wholePortkey);
                    System.out.printf("  added by Portkey: p50 %.3f ms%n", ms(wholePortkey[0] - wholeDirect[0]));
                    if (streamPortkey != null) {
                        row("stream, first event: through Portkey's gateway", streamPortkey);
                        System.out.printf("  added time to first byte by Portkey: p50 %.3f ms%n", ms(streamPortkey[0] - streamDirect[0]));
                    } else {
                        System.out.println("  streams through Portkey failed: " + portkeyStreamFailure);
                    }
                }
                System.out.printf("requests sent again after a pooled connection failed: %d%n", RESENT.get());
                row("reservation alone: from the lease (1 client)", new long[] {reservation[0], reservation[1]});
                row("settle alone, durable commit (1 client)", new long[] {reservation[2], reservation[3]});
            }
        } finally {
            provider.stop();
        }
    }

    private static void row(String name, long[] p) {
        if (p.length > 2) {
            // Ticks are 10 ms: over CLIENTS × perClient requests, a few µs per request.
            double requests = p[4];
            System.out.printf("%-46s p50 %7.3f   p99 %7.3f   CPU per request: JVM %3.0f us, PostgreSQL %3.0f us%n", name,
                    ms(p[0]), ms(p[1]), p[2] * 10_000 / requests, p[3] * 10_000 / requests);
        } else {
            System.out.printf("%-46s p50 %7.3f   p99 %7.3f%n", name, ms(p[0]), ms(p[1]));
        }
    }

    /** An OpenAI stand-in on Helidon (the cheapest server at hand): whole answers and streams, at once. */
    private static WebServer provider() {
        return WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
                .routing(routing -> routing.post("/v1/chat/completions", (request, response) -> {
                    String body = request.content().as(String.class);
                    if (!body.contains("\"stream\":true")) {
                        response.header(HeaderNames.CONTENT_TYPE, "application/json");
                        response.send(ANSWER);
                        return;
                    }
                    response.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
                    try (OutputStream out = response.outputStream()) {
                        for (byte[] event : EVENTS) {
                            out.write(event);
                            out.flush();
                        }
                    }
                }))
                .build()
                .start();
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** {reserve p50, reserve p99, settle p50, settle p99} in nanoseconds, one client. */
    private static long[] reservations(KeyStore keys, VirtualKey key, int count) {
        List<Long> reserve = new ArrayList<>();
        List<Long> settle = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            KeyStore.Reservation r = keys.reserve(key, "gpt-4o", 1100, BigDecimal.ZERO);
            long reserved = System.nanoTime();
            keys.settle(r, 5, 7, BigDecimal.ZERO);
            long settled = System.nanoTime();
            if (i >= count / 5) {
                reserve.add(reserved - start);
                settle.add(settled - reserved);
            }
        }
        Collections.sort(reserve);
        Collections.sort(settle);
        return new long[] {reserve.get(reserve.size() / 2), reserve.get((int) (reserve.size() * 0.99)),
                settle.get(settle.size() / 2), settle.get((int) (settle.size() * 0.99))};
    }

    private static long[] run(HttpClient client, String url, String bearer, String body, int perClient, boolean stream) throws Exception {
        return runWith(client, url, bearer == null ? List.of() : List.of("Authorization", "Bearer " + bearer), body, perClient, stream);
    }

    /**
     * {p50, p99} in nanoseconds over CLIENTS × perClient requests (the whole answer, or a stream's
     * first event), then the CPU ticks this JVM (clients, provider and gateway) and PostgreSQL spent
     * meanwhile, and the number of requests.
     */
    private static long[] runWith(HttpClient client, String url, List<String> headers, String body, int perClient, boolean stream) throws Exception {
        List<Long> samples = Collections.synchronizedList(new ArrayList<>());
        long[] cpuBefore = ProcCpu.ticks();
        try (ExecutorService pool = Executors.newFixedThreadPool(CLIENTS)) {
            List<Future<?>> runs = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                                .header("Cache-Control", "no-cache").POST(HttpRequest.BodyPublishers.ofString(body));
                        for (int h = 0; h < headers.size(); h += 2) {
                            request.header(headers.get(h), headers.get(h + 1));
                        }
                        long start = System.nanoTime();
                        HttpResponse<InputStream> response;
                        try {
                            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                        } catch (IOException e) {
                            // The JDK's client sometimes hands out a pooled connection it has just seen
                            // unexpected bytes on ("Data received while in pool"); counted and sent again.
                            RESENT.incrementAndGet();
                            start = System.nanoTime();
                            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                        }
                        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                            if (response.statusCode() != 200) {
                                throw new IllegalStateException(url + (stream ? " (stream)" : "") + " answered "
                                        + response.statusCode() + ": " + lines.readLine());
                            }
                            String line = lines.readLine();
                            if (stream) {
                                while (line != null && !line.startsWith("data: ")) {
                                    line = lines.readLine();
                                }
                                samples.add(System.nanoTime() - start);
                                while (lines.readLine() != null) {
                                    // drain, so the connection is reused
                                }
                            } else {
                                while (lines.readLine() != null) {
                                    // the whole answer
                                }
                                samples.add(System.nanoTime() - start);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        }
        long[] cpuAfter = ProcCpu.ticks();
        List<Long> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        return new long[] {sorted.get(sorted.size() / 2), sorted.get((int) (sorted.size() * 0.99)),
                cpuAfter[0] - cpuBefore[0], cpuAfter[1] - cpuBefore[1], sorted.size()};
    }

}
