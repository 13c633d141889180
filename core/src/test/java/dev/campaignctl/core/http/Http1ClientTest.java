package dev.campaignctl.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLServerSocket;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import dev.campaignctl.core.testing.ScriptedHttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The providers' HTTP/1.1 client against servers that answer byte for byte as scripted: framing
 * (length, chunked, close-delimited, 1xx), connection reuse, the exchange deadline, size limits,
 * header injection, TLS host-name checks and HTTP proxies.
 */
class Http1ClientTest {

    private static final byte[] BODY = "{\"q\":1}".getBytes(StandardCharsets.UTF_8);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void sendsOneWellFormedPostAndReadsALengthDelimitedAnswer() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> ok("{\"a\":1}"))) {
            Http1Client client = new Http1Client(server.uri("/v1/chat/completions"));

            Http1Client.Response response = client.send("POST", "", BODY,
                    List.of("Content-Type", "application/json", "Authorization", "Bearer k"), TIMEOUT);

            assertThat(response.status()).isEqualTo(200);
            assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
            assertThat(response.header("content-type")).isEqualTo("application/json");
            String request = server.requests.get(0);
            assertThat(request).startsWith("POST /v1/chat/completions HTTP/1.1\r\n")
                    .contains("\r\nHost: 127.0.0.1:" + server.port() + "\r\n")
                    .contains("\r\nContent-Type: application/json\r\n")
                    .contains("\r\nAuthorization: Bearer k\r\n")
                    .contains("\r\nContent-Length: " + BODY.length + "\r\n")
                    .endsWith("\r\n\r\n{\"q\":1}");
        }
    }

    @Test
    void pathsJoinTheBaseUrlsPathAndBodilessRequestsSayNoLength() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> ok("[]"))) {
            Http1Client client = new Http1Client(server.uri("/api/"));

            client.send("GET", "/campaigns?status=active&limit=5", null, List.of("Accept", "application/json"), TIMEOUT);
            client.send("PATCH", "/campaigns/7", BODY, List.of(), TIMEOUT);
            client.send("POST", "/cache/clear", null, List.of(), TIMEOUT);

            assertThat(server.requests.get(0)).startsWith("GET /api/campaigns?status=active&limit=5 HTTP/1.1\r\n")
                    .doesNotContain("Content-Length").endsWith("\r\n\r\n");
            assertThat(server.requests.get(1)).startsWith("PATCH /api/campaigns/7 HTTP/1.1\r\n")
                    .contains("\r\nContent-Length: " + BODY.length + "\r\n").endsWith("{\"q\":1}");
            assertThat(server.requests.get(2)).startsWith("POST /api/cache/clear HTTP/1.1\r\n").contains("\r\nContent-Length: 0\r\n");
            assertThatThrownBy(() -> client.send("GET", "/x HTTP/1.1\r\nX-Evil: 1", null, List.of(), TIMEOUT))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(server.requests).hasSize(3);
        }
    }

    @Test
    void keepAliveConnectionsAreReusedAndClosedOnesAreNot() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> index == 2
                ? "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}" : ok("{}"))) {
            Http1Client client = new Http1Client(server.uri("/x"));
            for (int i = 0; i < 4; i++) {
                assertThat(client.send("POST", "", BODY, List.of(), TIMEOUT).status()).isEqualTo(200);
            }
            // Requests 0-2 share the first connection; the server closed it after request 2.
            assertThat(server.connections.get()).isEqualTo(2);
        }
    }

    @Test
    void readsChunkedAndCloseDelimitedBodiesAndSkipsInterimResponses() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> switch (index) {
            case 0 -> "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "4;ext=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nX-Trailer: t\r\n\r\n";
            default -> "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"b\":2}";
        })) {
            Http1Client client = new Http1Client(server.uri("/x"));

            assertThat(client.send("POST", "", BODY, List.of(), TIMEOUT).body()).asString(StandardCharsets.UTF_8).isEqualTo("{\"a\":1}");
            assertThat(client.send("POST", "", BODY, List.of(), TIMEOUT).body()).asString(StandardCharsets.UTF_8).isEqualTo("{\"b\":2}");
            assertThat(client.send("POST", "", BODY, List.of(), TIMEOUT).body()).asString(StandardCharsets.UTF_8).isEqualTo("{\"b\":2}");
            // The chunked answer kept its connection; each close-delimited one ended its own.
            assertThat(server.connections.get()).isEqualTo(2);
        }
    }

    @Test
    void anExchangePastItsDeadlineIsCutOffAndNotRetried() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> null)) {
            Http1Client client = new Http1Client(server.uri("/x"));
            long start = System.nanoTime();

            assertThatThrownBy(() -> client.send("POST", "", BODY, List.of(), Duration.ofMillis(300)))
                    .isInstanceOf(Http1Client.DeadlineExceededException.class);

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(5));
            assertThat(server.requests).hasSize(1);
        }
    }

    @Test
    void aConnectionTheServerDroppedIsAnErrorNotASilentResend() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> index == 1 ? "" : ok("{}"))) {
            Http1Client client = new Http1Client(server.uri("/x"));
            client.send("POST", "", BODY, List.of(), TIMEOUT);

            assertThatThrownBy(() -> client.send("POST", "", BODY, List.of(), TIMEOUT)).isInstanceOf(IOException.class)
                    .isNotInstanceOf(Http1Client.DeadlineExceededException.class);
            assertThat(server.requests).hasSize(2);
            assertThat(client.send("POST", "", BODY, List.of(), TIMEOUT).status()).isEqualTo(200);
        }
    }

    @Test
    void oversizedAnswersAndMalformedFramingAreRefused() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> switch (index) {
            case 0 -> "HTTP/1.1 200 OK\r\nContent-Length: " + (Http1Client.MAX_BODY_BYTES + 1) + "\r\n\r\n";
            case 1 -> "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(Http1Client.MAX_HEADER_BYTES) + "\r\n\r\n";
            case 2 -> "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}";
            default -> "SSH-2.0-OpenSSH\r\n\r\n";
        })) {
            Http1Client client = new Http1Client(server.uri("/x"));

            assertThatThrownBy(() -> client.send("POST", "", BODY, List.of(), TIMEOUT)).isInstanceOf(Http1Client.TooLargeException.class);
            assertThatThrownBy(() -> client.send("POST", "", BODY, List.of(), TIMEOUT)).isInstanceOf(Http1Client.TooLargeException.class);
            assertThatThrownBy(() -> client.send("POST", "", BODY, List.of(), TIMEOUT)).hasMessageContaining("conflicting Content-Length");
            assertThatThrownBy(() -> client.send("POST", "", BODY, List.of(), TIMEOUT)).hasMessageContaining("not an HTTP/1.x response");
        }
    }

    @Test
    void aHeaderValueWithALineBreakIsRefusedWithoutShowingIt() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> ok("{}"))) {
            Http1Client client = new Http1Client(server.uri("/x"));

            assertThatThrownBy(() -> client.send("POST", "", BODY, List.of("x-api-key", "sk-secret\r\nX-Evil: 1"), TIMEOUT))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("x-api-key")
                    .hasMessageNotContaining("sk-secret");
            assertThat(server.requests).isEmpty();
        }
    }

    @Test
    void httpsChecksTheCertificateAndTheHostName(@TempDir Path dir) throws Exception {
        KeyStore keys = selfSigned(dir, "ip:127.0.0.1");
        KeyStore otherHost = selfSigned(dir, "dns:other.example");
        try (ScriptedHttpServer trusted = new ScriptedHttpServer(tls(keys), (request, index) -> ok("{\"secure\":true}"));
             ScriptedHttpServer mismatched = new ScriptedHttpServer(tls(otherHost), (request, index) -> ok("{}"))) {
            Http1Client client = new Http1Client(URI.create("https://127.0.0.1:" + trusted.port() + "/v1/messages"),
                    trusting(keys), null);
            assertThat(client.send("POST", "", BODY, List.of(), TIMEOUT).body()).asString(StandardCharsets.UTF_8).isEqualTo("{\"secure\":true}");
            assertThat(trusted.requests.get(0)).startsWith("POST /v1/messages HTTP/1.1\r\n");

            Http1Client wrongName = new Http1Client(URI.create("https://127.0.0.1:" + mismatched.port() + "/v1/messages"),
                    trusting(otherHost), null);
            assertThatThrownBy(() -> wrongName.send("POST", "", BODY, List.of(), TIMEOUT)).isInstanceOf(javax.net.ssl.SSLException.class);
            Http1Client untrusted = new Http1Client(URI.create("https://127.0.0.1:" + trusted.port() + "/v1/messages"),
                    trusting(otherHost), null);
            assertThatThrownBy(() -> untrusted.send("POST", "", BODY, List.of(), TIMEOUT)).isInstanceOf(javax.net.ssl.SSLException.class);
            assertThat(mismatched.requests).isEmpty();
            assertThat(trusted.requests).hasSize(1);
        }
    }

    @Test
    void plainHttpGoesThroughAProxyWithTheAbsoluteUrl() throws Exception {
        try (ScriptedHttpServer target = new ScriptedHttpServer((request, index) -> ok("{\"via\":\"proxy\"}"));
             PipeProxy proxy = new PipeProxy()) {
            URI uri = URI.create("http://api.example.test:" + target.port() + "/v1/chat/completions");
            proxy.route("api.example.test", target.port());
            Http1Client client = new Http1Client(uri, (SSLSocketFactory) SSLSocketFactory.getDefault(), proxy.selector());

            assertThat(client.send("POST", "", BODY, List.of(), TIMEOUT).body()).asString(StandardCharsets.UTF_8).isEqualTo("{\"via\":\"proxy\"}");
            assertThat(proxy.firstLines).containsExactly("POST " + uri + " HTTP/1.1");
        }
    }

    @Test
    void httpsGoesThroughAProxyTunnel(@TempDir Path dir) throws Exception {
        KeyStore keys = selfSigned(dir, "dns:api.example.test");
        try (ScriptedHttpServer target = new ScriptedHttpServer(tls(keys), (request, index) -> ok("{\"tunnel\":true}"));
             PipeProxy proxy = new PipeProxy()) {
            proxy.route("api.example.test", target.port());
            Http1Client client = new Http1Client(URI.create("https://api.example.test:" + target.port() + "/v1/messages"),
                    trusting(keys), proxy.selector());

            assertThat(client.send("POST", "", BODY, List.of(), TIMEOUT).body()).asString(StandardCharsets.UTF_8).isEqualTo("{\"tunnel\":true}");
            assertThat(proxy.firstLines).containsExactly("CONNECT api.example.test:" + target.port() + " HTTP/1.1");
            assertThat(target.requests.get(0)).startsWith("POST /v1/messages HTTP/1.1\r\n");
        }
    }

    @Test
    void aTlsPeerThatStopsReadingIsCutOffAndOtherDeadlinesStillHold(@TempDir Path dir) throws Exception {
        KeyStore keys = selfSigned(dir, "ip:127.0.0.1");
        SSLServerSocket stalled = (SSLServerSocket) tls(keys).getServerSocketFactory()
                .createServerSocket(0, 5, InetAddress.getLoopbackAddress());
        List<Socket> held = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try {
                javax.net.ssl.SSLSocket peer = (javax.net.ssl.SSLSocket) stalled.accept();
                peer.startHandshake();
                held.add(peer);
            } catch (IOException e) {
                // the test ended
            }
        });
        try (stalled; ScriptedHttpServer silent = new ScriptedHttpServer((request, index) -> null)) {
            Http1Client client = new Http1Client(URI.create("https://127.0.0.1:" + stalled.getLocalPort() + "/v1"), trusting(keys), null);
            Http1Client other = new Http1Client(silent.uri("/x"));
            java.util.Map<String, Throwable> failures = new java.util.concurrent.ConcurrentHashMap<>();

            // On a virtual thread, as in the gateway: far more than the socket buffers take, so the
            // write blocks, holding the TLS socket's write lock, until the deadline cuts it off.
            Thread stuck = Thread.ofVirtual().start(() -> failures.put("stuck", catching(
                    () -> client.send("POST", "", new byte[32 * 1024 * 1024], List.of(), Duration.ofMillis(500)))));
            stuck.join(Duration.ofSeconds(5));
            Thread next = Thread.ofVirtual().start(() -> failures.put("next", catching(
                    () -> other.send("GET", "", null, List.of(), Duration.ofMillis(300)))));
            next.join(Duration.ofSeconds(5));

            assertThat(stuck.isAlive()).as("the stalled exchange is cut off").isFalse();
            assertThat(next.isAlive()).as("a later deadline still holds").isFalse();
            assertThat(failures.get("stuck")).isInstanceOf(Http1Client.DeadlineExceededException.class);
            assertThat(failures.get("next")).isInstanceOf(Http1Client.DeadlineExceededException.class);
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void aBodyUntilCloseMayBeExactlyAsLargeAsTheCapButNoLarger() throws Exception {
        String atCap = "a".repeat(Http1Client.MAX_BODY_BYTES);
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) ->
                "HTTP/1.0 200 OK\r\n\r\n" + atCap + (index == 0 ? "" : "b"))) {
            Http1Client client = new Http1Client(server.uri("/x"));

            assertThat(client.send("GET", "", null, List.of(), TIMEOUT).body()).hasSize(Http1Client.MAX_BODY_BYTES);
            assertThatThrownBy(() -> client.send("GET", "", null, List.of(), TIMEOUT)).isInstanceOf(Http1Client.TooLargeException.class);
        }
    }

    @Test
    void bytesLeftAfterAnAnswerAreNeverReadAsTheNextOne() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> switch (index) {
            case 0 -> ok("{\"n\":0}") + ok("{\"stale\":true}");
            case 1 -> ok("{\"n\":1}") + "\r\n";
            default -> ok("{\"n\":" + index + "}");
        })) {
            Http1Client client = new Http1Client(server.uri("/x"));
            for (int i = 0; i < 3; i++) {
                assertThat(client.send("GET", "", null, List.of(), TIMEOUT).body()).asString(StandardCharsets.UTF_8)
                        .isEqualTo("{\"n\":" + i + "}");
            }
            assertThat(server.connections.get()).isEqualTo(3);
        }
    }

    @Test
    void noContentAndNotModifiedHaveNoBodyWhateverTheirHeadersSay() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> index == 0
                ? "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n"
                : "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n")) {
            Http1Client client = new Http1Client(server.uri("/x"));

            assertThat(client.send("DELETE", "/a", null, List.of(), Duration.ofSeconds(2)).body()).isEmpty();
            assertThat(client.send("GET", "/b", null, List.of(), Duration.ofSeconds(2)).status()).isEqualTo(304);
        }
    }

    @Test
    void anIdempotentRequestOnAConnectionTheServerDroppedGoesAgainOnANewOne() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> index == 1 ? "" : ok("{\"n\":" + index + "}"))) {
            Http1Client client = new Http1Client(server.uri("/x"));
            client.send("GET", "", null, List.of(), TIMEOUT);

            Http1Client.Response second = client.send("GET", "", null, List.of(), TIMEOUT);

            assertThat(second.body()).asString(StandardCharsets.UTF_8).isEqualTo("{\"n\":2}");
            assertThat(server.requests).hasSize(3);
            assertThat(server.connections.get()).isEqualTo(2);
        }
    }

    @Test
    void malformedAnswersAreRefused() throws Exception {
        List<String> answers = List.of(
                "HTTP/1.1 +20 OK\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\n{}",
                "HTTP/1.1 200 OK\r\nContent-Type : text/plain\r\nContent-Length: 2\r\n\r\n{}",
                "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 2\r\n\r\n{}",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n",
                "HTTP/1.1 100 Continue\r\n\r\n".repeat(11) + ok("{}"));
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> answers.get(index))) {
            Http1Client client = new Http1Client(server.uri("/x"));
            for (String answer : answers) {
                assertThatThrownBy(() -> client.send("GET", "", null, List.of(), TIMEOUT)).as(answer).isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void requestsThisClientDoesNotMakeAreRefusedBeforeAnythingIsSent() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> ok("{}"))) {
            Http1Client client = new Http1Client(server.uri("/x"));

            assertThatThrownBy(() -> client.send("HEAD", "", null, List.of(), TIMEOUT)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> client.send("GET", "/caf\u00e9", null, List.of(), TIMEOUT)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> client.send("GET", "", null, List.of("Content-Length", "0"), TIMEOUT))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> client.send("GET", "", null, List.of("X Y", "1"), TIMEOUT)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> client.send("GET", "", null, List.of("Authorization"), TIMEOUT))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(server.requests).isEmpty();
        }
    }

    /** What a call threw, or an AssertionError saying that it did not. */
    private static Throwable catching(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        try {
            call.call();
            return new AssertionError("no exception");
        } catch (Throwable e) {
            return e;
        }
    }

    private static String ok(String json) {
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
    }

    /** A PKCS#12 store with one self-signed key pair whose certificate names {@code san}. */
    private static KeyStore selfSigned(Path dir, String san) throws Exception {
        Path file = dir.resolve(san.replace(':', '-') + ".p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=test", "-ext", "san=" + san, "-keystore", file.toString(), "-storetype", "PKCS12",
                "-storepass", "test-store").redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor()).as(output).isZero();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, "test-store".toCharArray());
        }
        return store;
    }

    private static SSLContext tls(KeyStore keys) throws Exception {
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, "test-store".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), null, null);
        return context;
    }

    private static SSLSocketFactory trusting(KeyStore keys) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keys);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context.getSocketFactory();
    }

    /**
     * An HTTP proxy that resolves one made-up host name to loopback: CONNECT opens a tunnel, any
     * other request is passed on as it came. Records each connection's first line.
     */
    private static final class PipeProxy implements AutoCloseable {
        final List<String> firstLines = new CopyOnWriteArrayList<>();
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private volatile int port;

        PipeProxy() throws IOException {
            Thread.ofVirtual().start(this::accept);
        }

        /** Where every request goes, whatever host it names. */
        void route(String name, int targetPort) {
            this.port = targetPort;
        }

        ProxySelector selector() {
            SocketAddress address = InetSocketAddress.createUnresolved("127.0.0.1", socket.getLocalPort());
            return new ProxySelector() {
                @Override
                public List<Proxy> select(URI uri) {
                    return List.of(new Proxy(Proxy.Type.HTTP, address));
                }

                @Override
                public void connectFailed(URI uri, SocketAddress address, IOException e) {
                }
            };
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
            try (client; Socket target = new Socket(InetAddress.getLoopbackAddress(), port)) {
                InputStream in = client.getInputStream();
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                int b;
                while ((b = in.read()) >= 0 && b != '\n') {
                    line.write(b);
                }
                String first = line.toString(StandardCharsets.ISO_8859_1).strip();
                firstLines.add(first);
                if (first.startsWith("CONNECT ")) {
                    while (!readLine(in).isEmpty()) {
                        // the CONNECT request's headers
                    }
                    client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                } else {
                    target.getOutputStream().write((first + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                Thread back = Thread.ofVirtual().start(() -> pipe(target, client));
                pipe(client, target);
                back.join();
            } catch (IOException | InterruptedException e) {
                // either side went away
            }
        }

        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.write(b);
            }
            return line.toString(StandardCharsets.ISO_8859_1).strip();
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
