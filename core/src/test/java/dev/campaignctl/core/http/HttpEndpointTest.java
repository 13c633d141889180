package dev.campaignctl.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.testing.ScriptedHttpServer;
import dev.campaignctl.core.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project's HTTP client wrapper against servers that answer byte for byte as scripted: what it
 * sends, the whole-exchange deadline, redirects, the body cap, streaming, the trust of a private CA
 * with host-name checks, and the JVM's proxy settings.
 */
class HttpEndpointTest {

    private static final Map<String, Integer> BODY = Map.of("q", 1);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    static Path dir;
    private static TestPki pki;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = TestPki.create(dir.resolve("pki"), "ip:127.0.0.1,dns:localhost");
    }

    @Test
    void sendsJsonWithTheEndpointsHeadersAndReadsTheAnswer() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> ok("{\"a\":1}"))) {
            HttpEndpoint endpoint = new HttpEndpoint(server.uri("/v1/"), Trust.JVM, List.of("Authorization", "Bearer k"));

            HttpEndpoint.Response answer = endpoint.send("POST", "/chat/completions", BODY, List.of("X-Request-Id", "r1"), TIMEOUT);
            endpoint.send("GET", "/models?limit=5", null, List.of(), TIMEOUT);

            assertThat(answer.status()).isEqualTo(200);
            assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
            assertThat(answer.header("content-type")).isEqualTo("application/json");
            assertThat(server.requests.get(0)).startsWith("POST /v1/chat/completions HTTP/1.1\r\n")
                    .containsIgnoringCase("\r\nHost: 127.0.0.1:" + server.port() + "\r\n")
                    .contains("\r\nContent-Type: application/json\r\n", "\r\nAuthorization: Bearer k\r\n", "\r\nX-Request-Id: r1\r\n")
                    .endsWith("\r\n\r\n{\"q\":1}");
            assertThat(server.requests.get(1)).startsWith("GET /v1/models?limit=5 HTTP/1.1\r\n").doesNotContain("Content-Type");
            assertThat(server.connections.get()).as("the connection is kept alive").isEqualTo(1);
        }
    }

    @Test
    void theDeadlineCoversTheWholeExchangeBodyIncluded() throws Exception {
        try (ScriptedHttpServer silent = new ScriptedHttpServer((request, index) -> null);
             ScriptedHttpServer stalling = new ScriptedHttpServer((request, index) ->
                     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\"")) {
            for (ScriptedHttpServer server : List.of(silent, stalling)) {
                HttpEndpoint endpoint = new HttpEndpoint(server.uri("/x"));
                long start = System.nanoTime();

                assertThatThrownBy(() -> endpoint.send("POST", "", BODY, List.of(), Duration.ofMillis(300)))
                        .isInstanceOf(HttpEndpoint.DeadlineExceededException.class);

                assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(290), Duration.ofSeconds(4));
                assertThat(server.requests).as("not sent again").hasSize(1);
            }
        }
    }

    @Test
    @Timeout(30)
    void anExchangeNeedsNoThreadOfTheCommonPool() throws Exception {
        // The agents block a worker of the common fork-join pool while their calls run (one worker
        // on two cores): the client's asynchronous call completes there, and waited for ever.
        int workers = ForkJoinPool.getCommonPoolParallelism();
        CountDownLatch blocked = new CountDownLatch(workers);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < workers; i++) {
            CompletableFuture.runAsync(() -> {
                blocked.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> ok("{\"a\":1}"))) {
            assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
            HttpEndpoint endpoint = new HttpEndpoint(server.uri("/x"));

            assertThat(endpoint.send("POST", "", BODY, List.of(), Duration.ofSeconds(5)).status()).isEqualTo(200);
        } finally {
            release.countDown();
        }
    }

    @Test
    void aRedirectIsAnErrorNamingItsTargetAndIsNotFollowed() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) ->
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: https://elsewhere.example/v1\r\nContent-Length: 0\r\n\r\n")) {
            HttpEndpoint endpoint = new HttpEndpoint(server.uri("/v1"), Trust.JVM, List.of("x-api-key", "sk-secret"));

            assertThatThrownBy(() -> endpoint.send("POST", "", BODY, List.of(), TIMEOUT))
                    .isInstanceOfSatisfying(HttpEndpoint.RedirectException.class, e -> {
                        assertThat(e.status()).isEqualTo(307);
                        assertThat(e.location()).isEqualTo("https://elsewhere.example/v1");
                    })
                    .hasMessageContaining("https://elsewhere.example/v1");
            assertThatThrownBy(() -> endpoint.stream("GET", "", null, List.of(), TIMEOUT))
                    .isInstanceOf(HttpEndpoint.RedirectException.class);
            assertThat(server.requests).hasSize(2);
        }
    }

    @Test
    void anAnswerOverTheCapIsRefusedWhetherAnnouncedOrNot() throws Exception {
        String overCap = "a".repeat(HttpEndpoint.MAX_BODY_BYTES + 1);
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> index == 0
                ? "HTTP/1.1 200 OK\r\nContent-Length: " + (HttpEndpoint.MAX_BODY_BYTES + 1) + "\r\n\r\n"
                : "HTTP/1.0 200 OK\r\n\r\n" + overCap)) {
            HttpEndpoint endpoint = new HttpEndpoint(server.uri("/x"));

            assertThatThrownBy(() -> endpoint.send("GET", "", null, List.of(), TIMEOUT)).isInstanceOf(HttpEndpoint.TooLargeException.class);
            assertThatThrownBy(() -> endpoint.send("GET", "", null, List.of(), TIMEOUT)).isInstanceOf(HttpEndpoint.TooLargeException.class);
        }
    }

    @Test
    void aPostOnAConnectionTheServerDroppedIsAnErrorNotASilentResend() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> index == 1 ? "" : ok("{}"))) {
            HttpEndpoint endpoint = new HttpEndpoint(server.uri("/x"));
            endpoint.send("POST", "", BODY, List.of(), TIMEOUT);

            assertThatThrownBy(() -> endpoint.send("POST", "", BODY, List.of(), TIMEOUT)).isInstanceOf(IOException.class)
                    .isNotInstanceOf(HttpEndpoint.DeadlineExceededException.class);
            assertThat(server.requests).hasSize(2);
            assertThat(endpoint.send("POST", "", BODY, List.of(), TIMEOUT).status()).isEqualTo(200);
        }
    }

    @Test
    void aStreamedAnswerIsReadAsItArrives() throws Exception {
        String events = "data: {\"n\":1}\n\ndata: {\"n\":2}\n\ndata: [DONE]\n\n";
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> "HTTP/1.1 200 OK\r\n"
                + "Content-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(events.length()) + "\r\n" + events + "\r\n0\r\n\r\n")) {
            HttpEndpoint endpoint = new HttpEndpoint(server.uri("/v1/chat/completions"));

            try (HttpEndpoint.Streamed answer = endpoint.stream("POST", "", Map.of("stream", true), List.of(), TIMEOUT)) {
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.header("content-type")).isEqualTo("text/event-stream");
                assertThat(answer.lines().filter(line -> line.startsWith("data: ")))
                        .containsExactly("data: {\"n\":1}", "data: {\"n\":2}", "data: [DONE]");
            }
            assertThat(server.requests.get(0)).endsWith("{\"stream\":true}");
        }
    }

    @Test
    void aHeaderValueWithALineBreakIsRefusedWithoutShowingIt() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> ok("{}"))) {
            HttpEndpoint endpoint = new HttpEndpoint(server.uri("/x"));

            assertThatThrownBy(() -> endpoint.send("POST", "", BODY, List.of("x-api-key", "sk-secret\r\nX-Evil: 1"), TIMEOUT))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("x-api-key")
                    .hasMessageNotContaining("sk-secret");
            assertThatThrownBy(() -> new HttpEndpoint(URI.create("ftp://example.com"))).isInstanceOf(IllegalArgumentException.class);
            assertThat(server.requests).isEmpty();
        }
    }

    @Test
    void httpsTrustsTheGivenCaAndChecksTheHostName() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer(pki.serverContext(), (request, index) -> ok("{\"secure\":true}"))) {
            Trust privateCa = Trust.pemFile(pki.caPem);
            assertThat(privateCa).isEqualTo(Trust.pemFile(pki.caPem));

            HttpEndpoint byIp = new HttpEndpoint(URI.create("https://127.0.0.1:" + server.port() + "/v1"), privateCa, List.of());
            HttpEndpoint byName = new HttpEndpoint(URI.create("https://localhost:" + server.port() + "/v1"), privateCa, List.of());
            assertThat(byIp.send("POST", "", BODY, List.of(), TIMEOUT).body()).asString(StandardCharsets.UTF_8).isEqualTo("{\"secure\":true}");
            assertThat(byName.send("POST", "", BODY, List.of(), TIMEOUT).status()).isEqualTo(200);

            HttpEndpoint jvmCas = new HttpEndpoint(URI.create("https://127.0.0.1:" + server.port() + "/v1"));
            assertThatThrownBy(() -> jvmCas.send("POST", "", BODY, List.of(), TIMEOUT))
                    .isInstanceOf(HttpEndpoint.TlsException.class)
                    .hasMessage("TLS: the server's certificate is not signed by a trusted CA");
            assertThat(server.requests).hasSize(2);
        }
        TestPki otherName = TestPki.create(dir.resolve("other"), "dns:other.example");
        try (ScriptedHttpServer server = new ScriptedHttpServer(otherName.serverContext(), (request, index) -> ok("{}"))) {
            HttpEndpoint wrongName = new HttpEndpoint(URI.create("https://127.0.0.1:" + server.port() + "/v1"),
                    Trust.pemFile(otherName.caPem), List.of());
            assertThatThrownBy(() -> wrongName.send("POST", "", BODY, List.of(), TIMEOUT))
                    .isInstanceOf(HttpEndpoint.TlsException.class)
                    .hasMessageStartingWith("TLS: the server's certificate does not name the host asked for")
                    .hasMessageNotContaining("\n");
            assertThat(server.requests).isEmpty();
        }
    }

    @Test
    void aCaFileThatCannotBeUsedIsAOneLineError() throws Exception {
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello\n");
        assertThatThrownBy(() -> Trust.pemFile(dir.resolve("missing.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("missing.pem: no such file");
        assertThatThrownBy(() -> Trust.pemFile(notPem))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not.pem").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> Trust.pemFile(pki.keyPem))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("server-key.pem").hasMessageNotContaining("\n");
    }

    @Test
    void plainHttpFollowsTheJvmsProxySettings() throws Exception {
        try (ScriptedHttpServer target = new ScriptedHttpServer((request, index) -> ok("{\"via\":\"proxy\"}"));
             Relay proxy = new Relay(target.port())) {
            // A made-up host: loopback names are in the JVM's default http.nonProxyHosts.
            URI uri = URI.create("http://api.example.test:" + target.port() + "/v1/chat/completions");
            System.setProperty("http.proxyHost", "127.0.0.1");
            System.setProperty("http.proxyPort", Integer.toString(proxy.port()));
            try {
                HttpEndpoint endpoint = new HttpEndpoint(uri);
                assertThat(endpoint.send("POST", "", BODY, List.of(), TIMEOUT).body()).asString(StandardCharsets.UTF_8)
                        .isEqualTo("{\"via\":\"proxy\"}");
            } finally {
                System.clearProperty("http.proxyHost");
                System.clearProperty("http.proxyPort");
            }
            assertThat(proxy.firstLines).containsExactly("POST " + uri + " HTTP/1.1");
        }
    }

    private static String ok(String json) {
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
    }

    /** A forward proxy for plain http that sends every request to one port, recording each connection's first line. */
    private static final class Relay implements AutoCloseable {
        final List<String> firstLines = new CopyOnWriteArrayList<>();
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final int targetPort;

        Relay(int targetPort) throws IOException {
            this.targetPort = targetPort;
            Thread.ofVirtual().start(this::accept);
        }

        int port() {
            return socket.getLocalPort();
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    Thread.ofVirtual().start(() -> relay(client));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void relay(Socket client) {
            try (client; Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
                InputStream in = client.getInputStream();
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                int b;
                while ((b = in.read()) >= 0 && b != '\n') {
                    line.write(b);
                }
                String first = line.toString(StandardCharsets.ISO_8859_1).strip();
                firstLines.add(first);
                target.getOutputStream().write((first + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                Thread back = Thread.ofVirtual().start(() -> pipe(target, client));
                pipe(client, target);
                back.join();
            } catch (IOException | InterruptedException e) {
                // either side went away
            }
        }

        private static void pipe(Socket from, Socket to) {
            try {
                from.getInputStream().transferTo(to.getOutputStream());
                to.shutdownOutput();
            } catch (IOException e) {
                // closed
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
