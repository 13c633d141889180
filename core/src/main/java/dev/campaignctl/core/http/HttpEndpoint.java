package dev.campaignctl.core.http;

import dev.campaignctl.core.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;

/**
 * The project's one HTTP client: the JDK's {@link HttpClient} behind a thin wrapper for one server,
 * made for JSON calls — the LLM providers', and the CLI's and the agents' calls to our services.
 * <pre>{@code
 * HttpEndpoint openai = new HttpEndpoint(URI.create("https://api.openai.com/v1/chat/completions"), Trust.JVM,
 *         List.of("Authorization", "Bearer " + key));
 * HttpEndpoint.Response answer = openai.send("POST", "", body, List.of(), Duration.ofSeconds(60));
 * }</pre>
 * What it adds to the JDK's client, and why:
 * <ul>
 * <li>one {@link HttpClient} per {@link Trust}, shared by every endpoint of the process, so its
 *     connection pool, selector thread and TLS sessions exist once; HTTP/1.1, which every server
 *     we call speaks, with no upgrade attempt on plain http;</li>
 * <li>a deadline for the whole exchange: {@link HttpRequest#timeout} bounds the wait for the
 *     answer's head, and up to JDK 25 no more, so the wait for the body is bounded here too;</li>
 * <li>redirects are never followed — an Authorization header or an API key would go along to
 *     wherever one points — but reported as a {@link RedirectException} naming the target;</li>
 * <li>bodies are JSON, and an answer over {@link #MAX_BODY_BYTES} is refused while it arrives;</li>
 * <li>the JVM's proxy settings ({@link ProxySelector#getDefault()});</li>
 * <li>TLS failures become a {@link TlsException} with a one-line reason.</li>
 * </ul>
 * A request that failed is never sent again here: retries are the caller's.
 */
public final class HttpEndpoint {

    /** The largest answer {@link #send} reads. */
    public static final int MAX_BODY_BYTES = 32 * 1024 * 1024;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration MIN_TIMEOUT = Duration.ofMillis(1);
    private static final Duration MAX_TIMEOUT = Duration.ofDays(1);
    private static final Map<Trust, HttpClient> CLIENTS = new ConcurrentHashMap<>();

    private final URI base;
    private final HttpClient client;
    private final List<String> fixedHeaders;

    /** An endpoint over the JVM's CAs with no headers of its own. */
    public HttpEndpoint(URI base) {
        this(base, Trust.JVM, List.of());
    }

    /**
     * @param base    the server's URL, optionally with a path that every request's path is appended to
     * @param trust   the CAs an https server's certificate must chain to
     * @param headers request headers sent with every request, as name, value, name, value...
     * @throws IllegalArgumentException when {@code base} is not an http(s) URL without a query, or a header is malformed
     */
    public HttpEndpoint(URI base, Trust trust, List<String> headers) {
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || base.getHost() == null || base.getRawQuery() != null) {
            throw new IllegalArgumentException("not an http(s) URL without a query: " + base);
        }
        String text = base.toString();
        this.base = URI.create(text.replaceAll("/+$", ""));
        this.client = CLIENTS.computeIfAbsent(trust, HttpEndpoint::newClient);
        this.fixedHeaders = List.copyOf(pairs(headers));
    }

    private static HttpClient newClient(Trust trust) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(CONNECT_TIMEOUT)
                .executor(Runnable::run);
        ProxySelector proxies = ProxySelector.getDefault();
        if (proxies != null) {
            builder.proxy(proxies);
        }
        if (trust.sslContext() != null) {
            builder.sslContext(trust.sslContext());
        }
        return builder.build();
    }

    public URI base() {
        return base;
    }

    /**
     * Sends one request and reads the whole answer, all within {@code timeout}.
     *
     * @param path    appended to the base URL's path: empty, or starting with {@code /}, query included
     * @param json    the request body, written as JSON, or null for none
     * @param headers request headers besides the endpoint's own, as name, value, name, value...
     * @throws DeadlineExceededException when the answer is not complete within {@code timeout}
     * @throws RedirectException         when the server answers with a redirect
     * @throws TooLargeException         when the answer's body is over {@link #MAX_BODY_BYTES}
     * @throws TlsException              when the server's certificate is not trusted or does not name it
     */
    public Response send(String method, String path, Object json, List<String> headers, Duration timeout) throws IOException {
        Duration deadline = clamp(timeout);
        CompletableFuture<HttpResponse<byte[]>> pending = client.sendAsync(request(method, path, json, headers, deadline),
                CappedBody::new);
        HttpResponse<byte[]> answer = await(pending, deadline, timeout);
        refuseRedirect(answer);
        return new Response(answer.statusCode(), byName(answer.headers()), answer.body());
    }

    /**
     * Sends one request and returns as soon as the answer's head arrived, its body to be read as it
     * comes (Server-Sent Events, NDJSON). The deadline covers the wait for the head; the body comes
     * at the server's pace, and closing the answer ends the exchange.
     */
    public Streamed stream(String method, String path, Object json, List<String> headers, Duration timeout) throws IOException {
        Duration deadline = clamp(timeout);
        CompletableFuture<HttpResponse<InputStream>> pending = client.sendAsync(request(method, path, json, headers, deadline),
                BodyHandlers.ofInputStream());
        HttpResponse<InputStream> answer = await(pending, deadline, timeout);
        try {
            refuseRedirect(answer);
        } catch (RedirectException e) {
            answer.body().close();
            throw e;
        }
        return new Streamed(answer.statusCode(), byName(answer.headers()), answer.body());
    }

    private HttpRequest request(String method, String path, Object json, List<String> headers, Duration timeout) {
        if (!path.isEmpty() && path.charAt(0) != '/') {
            throw new IllegalArgumentException("a request path starts with /: " + path);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(Json.bytes(json)))
                .header("User-Agent", "campaignctl")
                .header("Accept", "application/json");
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        addHeaders(request, fixedHeaders);
        addHeaders(request, pairs(headers));
        return request.build();
    }

    private static void addHeaders(HttpRequest.Builder request, List<String> pairs) {
        for (int i = 0; i < pairs.size(); i += 2) {
            try {
                request.setHeader(pairs.get(i), pairs.get(i + 1));
            } catch (IllegalArgumentException e) {
                // The value may be a key: say which header, never what it holds.
                throw new IllegalArgumentException("not a request header this client sends: " + pairs.get(i).replaceAll("[^\\x21-\\x7e]", "?"));
            }
        }
    }

    private static List<String> pairs(List<String> headers) {
        if (headers.size() % 2 != 0) {
            throw new IllegalArgumentException("request headers come as name, value pairs; got " + headers.size() + " items");
        }
        return headers;
    }

    private static Duration clamp(Duration timeout) {
        return timeout.compareTo(MIN_TIMEOUT) < 0 ? MIN_TIMEOUT : timeout.compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT : timeout;
    }

    /** Waits for an exchange at most {@code deadline}; one past it, or interrupted, is cancelled, which closes its connection. */
    private static <T> T await(CompletableFuture<T> pending, Duration deadline, Duration asked) throws IOException {
        try {
            return pending.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new DeadlineExceededException(asked, null);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for an answer");
        } catch (ExecutionException | CancellationException e) {
            throw failure(e, asked);
        }
    }

    /** The IOException behind a failed exchange, with timeouts and TLS failures told apart. */
    private static IOException failure(Exception wrapped, Duration asked) {
        Throwable cause = wrapped.getCause() == null ? wrapped : wrapped.getCause();
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof HttpTimeoutException timeout) {
            return new DeadlineExceededException(asked, timeout);
        }
        if (cause instanceof SSLException tls) {
            return TlsException.of(tls);
        }
        return cause instanceof IOException io ? io : new IOException(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
    }

    private static void refuseRedirect(HttpResponse<?> answer) throws RedirectException {
        int status = answer.statusCode();
        if (status >= 300 && status < 400 && status != 304) {
            throw new RedirectException(status, answer.headers().firstValue("location").orElse(null));
        }
    }

    /** Headers by lower-case name, repeated ones joined by ", ". */
    private static Map<String, String> byName(HttpHeaders headers) {
        Map<String, String> names = new HashMap<>();
        headers.map().forEach((name, values) -> names.merge(name.toLowerCase(Locale.ROOT), String.join(", ", values),
                (first, next) -> first + ", " + next));
        return names;
    }

    /** A whole answer: status, headers by lower-case name (repeated ones joined by ", "), and the body. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String header(String lowerCaseName) {
            return headers.get(lowerCaseName);
        }
    }

    /** An answer whose body is read as it arrives; closing it ends the exchange. */
    public static final class Streamed implements AutoCloseable {
        private final int status;
        private final Map<String, String> headers;
        private final InputStream body;

        Streamed(int status, Map<String, String> headers, InputStream body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        public int status() {
            return status;
        }

        public String header(String lowerCaseName) {
            return headers.get(lowerCaseName);
        }

        public InputStream body() {
            return body;
        }

        /** The body as UTF-8 lines, read lazily (an SSE stream's {@code data:} lines, for one). */
        public Stream<String> lines() {
            return new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8)).lines();
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** The exchange outlived its deadline; its connection was closed. */
    public static final class DeadlineExceededException extends IOException {
        DeadlineExceededException(Duration timeout, IOException cause) {
            super("no complete answer within " + timeout.toMillis() + " ms", cause);
        }
    }

    /** The server answered with more than {@link #MAX_BODY_BYTES}. */
    public static final class TooLargeException extends IOException {
        TooLargeException() {
            super("the response body exceeds " + MAX_BODY_BYTES + " bytes");
        }
    }

    /** The server answered with a redirect, which is never followed. */
    public static final class RedirectException extends IOException {
        private final int status;
        private final String location;

        RedirectException(int status, String location) {
            super("a redirect (" + status + ")" + (location == null ? "" : " to " + location));
            this.status = status;
            this.location = location;
        }

        public int status() {
            return status;
        }

        /** Where it points, or null when the answer did not say. */
        public String location() {
            return location;
        }
    }

    /** The TLS handshake failed: the reason on one line, the JDK's exception as the cause. */
    public static final class TlsException extends IOException {
        TlsException(String message, SSLException cause) {
            super(message, cause);
        }

        static TlsException of(SSLException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof CertPathBuilderException || cause instanceof CertPathValidatorException) {
                    return new TlsException("TLS: the server's certificate is not signed by a trusted CA", e);
                }
                if (cause instanceof CertificateException && cause.getMessage() != null
                        && (cause.getMessage().startsWith("No subject alternative") || cause.getMessage().startsWith("No name matching"))) {
                    return new TlsException("TLS: the server's certificate does not name the host asked for ("
                            + Trust.oneLine((CertificateException) cause) + ")", e);
                }
            }
            return new TlsException("TLS: " + Trust.oneLine(e), e);
        }
    }

    /**
     * The JDK's byte-array body with a cap: an answer that announces or delivers more than
     * {@link #MAX_BODY_BYTES} is cancelled (which closes its connection) as soon as that is known.
     */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final HttpResponse.BodySubscriber<byte[]> bytes = HttpResponse.BodySubscribers.ofByteArray();
        private final long announced;
        private Flow.Subscription subscription;
        private long received;
        private boolean refused;

        CappedBody(HttpResponse.ResponseInfo info) {
            this.announced = info.headers().firstValueAsLong("content-length").orElse(-1);
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return bytes.getBody();
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            bytes.onSubscribe(subscription);
            if (announced > MAX_BODY_BYTES) {
                refuse();
            }
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (refused) {
                return;
            }
            for (ByteBuffer item : items) {
                received += item.remaining();
            }
            if (received > MAX_BODY_BYTES) {
                refuse();
                return;
            }
            bytes.onNext(items);
        }

        private void refuse() {
            refused = true;
            subscription.cancel();
            bytes.onError(new TooLargeException());
        }

        @Override
        public void onError(Throwable failure) {
            if (!refused) {
                bytes.onError(failure);
            }
        }

        @Override
        public void onComplete() {
            if (!refused) {
                bytes.onComplete();
            }
        }
    }
}
