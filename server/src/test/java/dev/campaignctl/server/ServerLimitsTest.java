package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.campaignctl.core.ai.AiConfig;
import dev.campaignctl.core.ai.AiGateway;
import dev.campaignctl.core.ai.LocalAiApi;
import dev.campaignctl.core.api.LocalDomainApi;
import dev.campaignctl.core.client.HttpJson;
import dev.campaignctl.core.config.Authenticator;
import dev.campaignctl.core.config.ConfigurationStore;
import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.testing.FakeLlmServer;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The limits of a real server on a free port: idle connections by the thousand, slow clients,
 * connections and requests past the limits. Clients give up after a timeout of their own, so a
 * server that hangs fails a test rather than stalling the build.
 */
class ServerLimitsTest {

    private static final String PASSWORD = "limits-" + System.nanoTime();
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);
    private static Database db;
    private static Authenticator auth;

    @BeforeAll
    static void setUp() {
        db = TestDatabases.fresh();
        auth = new ConfigurationStore(db.dataSource()).authenticator(new Credentials("admin", PASSWORD));
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    private static DomainServer domain(ServerLimits limits) {
        return DomainServer.start("127.0.0.1", 0, limits, new LocalDomainApi(db, null, false), auth);
    }

    @Test
    void aThousandIdleConnectionsDoNotStopTheServiceFromAnswering() throws IOException {
        try (DomainServer server = domain(ServerLimits.DEFAULTS)) {
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 1000; i++) {
                    Socket socket = new Socket();
                    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), (int) CLIENT_TIMEOUT.toMillis());
                    idle.add(socket);
                }
                for (int i = 0; i < 20; i++) {
                    assertThat(get(server.port(), "/health/live", false).status()).isEqualTo(200);
                    assertThat(get(server.port(), "/campaigns", true).status()).isEqualTo(200);
                }
                // The idle connections were accepted, not left waiting: the oldest one is served too.
                Socket first = idle.getFirst();
                first.setSoTimeout((int) CLIENT_TIMEOUT.toMillis());
                first.getOutputStream().write(request("GET", "/health/live", ""));
                byte[] status = first.getInputStream().readNBytes("HTTP/1.1 200".length());
                assertThat(new String(status, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200");
            } finally {
                for (Socket socket : idle) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aClientSendingAHeaderByteASecondIsCutOffByTheReadTimeout() throws IOException {
        try (DomainServer server = domain(ServerLimits.DEFAULTS.withReadTimeout(Duration.ofSeconds(2)));
             Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.ISO_8859_1));
            long start = System.nanoTime();

            Outcome outcome = dripUntilClosed(socket, "X-Slow: " + "a".repeat(60));

            assertThat(outcome.closed()).as("the connection is closed while its head is still arriving").isTrue();
            assertThat(outcome.answer()).as("nothing is answered to half a request").isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
            assertThat(get(server.port(), "/health/live", false).status()).isEqualTo(200);
        }
    }

    @Test
    void aRequestLineSentAByteASecondIsCutOffByTheIdleTimeout() throws IOException {
        // Helidon reports no request until its line is complete: until then the connection counts as idle.
        try (DomainServer server = domain(ServerLimits.DEFAULTS.withIdleTimeout(Duration.ofSeconds(2)));
             Socket socket = new Socket("127.0.0.1", server.port())) {
            Outcome outcome = dripUntilClosed(socket, "GET /health/live?" + "x".repeat(60) + " HTTP/1.1\r\n");

            assertThat(outcome.closed()).as("the connection is closed while its request line is still arriving").isTrue();
            assertThat(outcome.answer()).isEmpty();
            assertThat(get(server.port(), "/health/live", false).status()).isEqualTo(200);
        }
    }

    @Test
    void aBodySentAByteASecondIsCutOffAndNothingIsStored() throws IOException {
        long events = Sql.count(db, "SELECT count(*) FROM events");
        try (DomainServer server = domain(ServerLimits.DEFAULTS.withReadTimeout(Duration.ofSeconds(2)));
             Socket socket = new Socket("127.0.0.1", server.port())) {
            String body = "{\"amount\": 1, \"merchant_id\": \"slow-body\"" + " ".repeat(60) + "}";
            socket.getOutputStream().write(("POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Authorization: " + HttpJson.basic("admin", PASSWORD) + "\r\nContent-Length: " + body.length() + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));

            Outcome outcome = dripUntilClosed(socket, body);

            assertThat(outcome.closed()).as("a body slower than 1 KiB/s is cut off").isTrue();
            assertThat(outcome.answer()).isEmpty();
            assertThat(get(server.port(), "/campaigns", true).status()).isEqualTo(200);
        }
        assertThat(Sql.count(db, "SELECT count(*) FROM events")).isEqualTo(events);
    }

    @Test
    void aConnectionPastTheLimitIsClosedAtOnceAndOneIsServedAgainWhenAnotherEnds() throws IOException {
        try (DomainServer server = domain(ServerLimits.DEFAULTS.withMaxConnections(3))) {
            List<KeepAlive> open = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                KeepAlive connection = new KeepAlive(server.port());
                assertThat(connection.get("/health/live")).startsWith("HTTP/1.1 200");
                open.add(connection);
            }

            RawHttp.Response refused = RawHttp.exchange(server.port(), RawHttp.head("GET", "/health/live".getBytes(StandardCharsets.ISO_8859_1),
                    Map.of()), null, CLIENT_TIMEOUT);
            assertThat(refused.status()).as("closed without an answer, at once").isEqualTo(-1);

            open.getFirst().close();
            await().atMost(CLIENT_TIMEOUT).untilAsserted(() -> assertThat(get(server.port(), "/health/live", false).status()).isEqualTo(200));
            for (KeepAlive connection : open) {
                connection.close();
            }
        }
    }

    @Test
    void requestsPastTheConcurrencyLimitGetA503WithRetryAfterAtOnce() throws Exception {
        try (FakeLlmServer openai = new FakeLlmServer(FakeLlmServer.Kind.OPENAI)) {
            AiConfig config = new AiConfig(FakeLlmServer.KEY, "gpt-4", openai.baseUrl(), null, null, null, null,
                    Duration.ofHours(1), null, null, Duration.ofSeconds(10), 1, Duration.ofMillis(5));
            openai.delay(Duration.ofSeconds(2));
            // One request at a time: the fake provider answers one request at a time too.
            try (AiServer server = AiServer.start("127.0.0.1", 0, ServerLimits.DEFAULTS.withMaxConcurrentRequests(1),
                    new LocalAiApi(AiGateway.fromConfig(config), true), null)) {
                CompletableFuture<RawHttp.Response> slow = CompletableFuture.supplyAsync(() -> post(server.port(), "/generate",
                        "{\"prompt\": \"slow\", \"use_cache\": false}", Duration.ofSeconds(10)));
                await().atMost(CLIENT_TIMEOUT).until(() -> openai.received().size() == 1);

                RawHttp.Response refused = RawHttp.exchange(server.port(), RawHttp.head("GET", "/providers".getBytes(StandardCharsets.ISO_8859_1),
                        Map.of()), null, CLIENT_TIMEOUT);

                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.header("Retry-After")).isEqualTo("1");
                assertThat(Json.tree(refused.text()).get("error").asText()).isEqualTo("unavailable");
                assertThat(slow.get().status()).isEqualTo(200);
                // The slot is given back once the handler has returned, a moment after its answer has gone out.
                await().atMost(CLIENT_TIMEOUT).untilAsserted(() -> assertThat(get(server.port(), "/providers", false).status()).isEqualTo(200));
            }
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws IOException {
        try (DomainServer server = domain(ServerLimits.DEFAULTS.withIdleTimeout(Duration.ofSeconds(1)));
             KeepAlive connection = new KeepAlive(server.port())) {
            assertThat(connection.get("/health/live")).startsWith("HTTP/1.1 200");

            connection.socket.setSoTimeout((int) CLIENT_TIMEOUT.toMillis());
            assertThat(connection.socket.getInputStream().read()).as("closed by the server").isEqualTo(-1);
        }
    }

    // ---- clients ----

    private static RawHttp.Response get(int port, String path, boolean credentials) throws IOException {
        Map<String, String> headers = credentials ? Map.of("Authorization", HttpJson.basic("admin", PASSWORD)) : Map.of();
        return RawHttp.exchange(port, RawHttp.head("GET", path.getBytes(StandardCharsets.ISO_8859_1), headers), null, CLIENT_TIMEOUT);
    }

    private static RawHttp.Response post(int port, String path, String body, Duration timeout) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            return RawHttp.exchange(port, RawHttp.head("POST", path.getBytes(StandardCharsets.ISO_8859_1),
                    Map.of("Content-Type", "application/json", "Content-Length", Integer.toString(bytes.length))), bytes, timeout);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] request(String method, String path, String headers) {
        return (method + " " + path + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** How a slow send ended: whether the server closed the connection, and what it answered first. */
    private record Outcome(boolean closed, String answer) {
    }

    /**
     * Sends {@code text} a byte a second, listening in between, until the server closes the
     * connection or answers; gives up after the text or 20 s, whichever comes first.
     */
    private static Outcome dripUntilClosed(Socket socket, String text) throws IOException {
        socket.setSoTimeout(1000);
        InputStream in = socket.getInputStream();
        long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length && System.nanoTime() < giveUp; i++) {
            try {
                socket.getOutputStream().write(bytes[i]);
                int first = in.read();
                if (first < 0) {
                    return new Outcome(true, "");
                }
                return new Outcome(false, (char) first + new String(in.readNBytes(in.available()), StandardCharsets.ISO_8859_1));
            } catch (SocketTimeoutException e) {
                // Still open and silent: send the next byte.
            } catch (IOException e) {
                return new Outcome(true, "");
            }
        }
        return new Outcome(false, "");
    }

    /** One kept-alive connection, for asking several requests on it. */
    private static final class KeepAlive implements AutoCloseable {
        final Socket socket;

        KeepAlive(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout((int) CLIENT_TIMEOUT.toMillis());
        }

        /** The status line and headers of the answer to a GET; its body is read and dropped. */
        String get(String path) throws IOException {
            socket.getOutputStream().write(request("GET", path, ""));
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int next = in.read();
                if (next < 0) {
                    throw new IOException("closed after " + head);
                }
                head.append((char) next);
            }
            String length = head.toString().lines().filter(line -> line.toLowerCase(Locale.ROOT).startsWith("content-length:"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst().orElse("0");
            in.readNBytes(Integer.parseInt(length));
            return head.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
