package dev.campaignctl.core.http;

import dev.campaignctl.core.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

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
 * <li>one {@link HttpClient} per {@link Trust} (and one for plain http, which never loads a trust
 *     store), shared by every endpoint of the process, so its connection pool, selector thread and
 *     TLS sessions exist once; HTTP/1.1, which every server we call speaks, with no upgrade attempt
 *     on plain http;</li>
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
    private static final Map<Configuration, HttpClient> CLIENTS = new ConcurrentHashMap<>();
    /** Ends the exchanges whose body outlives their deadline; one daemon thread, asleep when none is due. */
    private static final ScheduledThreadPoolExecutor DEADLINES = deadlines();

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
        this.client = CLIENTS.computeIfAbsent(new Configuration(trust, scheme.equals("https")), HttpEndpoint::newClient);
        this.fixedHeaders = List.copyOf(pairs(headers));
    }

    private static ScheduledThreadPoolExecutor deadlines() {
        ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("http-deadlines").factory());
        // Most answers are complete long before their deadline: cancelled ones leave the queue at once.
        deadlines.setRemoveOnCancelPolicy(true);
        return deadlines;
    }

    /** What a client is shared for: the CAs it trusts, and whether it speaks TLS at all. */
    private record Configuration(Trust trust, boolean tls) {
    }

    private static HttpClient newClient(Configuration configuration) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(CONNECT_TIMEOUT)
                .executor(Runnable::run);
        ProxySelector proxies = ProxySelector.getDefault();
        if (proxies != null) {
            builder.proxy(proxies);
        }
        if (!configuration.tls()) {
            // Unless given one, the JDK's client makes the JVM's default TLS context as it is built,
            // which reads and parses the whole trust store: a fifth of a second of a CLI command's
            // start, for a plain-http call that never uses it. This one is never initialised.
            builder.sslContext(unusedTls()).sslParameters(new SSLParameters());
        } else if (configuration.trust().sslContext() != null) {
            builder.sslContext(configuration.trust().sslContext());
        }
        return builder.build();
    }

    private static SSLContext unusedTls() {
        try {
            return SSLContext.getInstance("TLS");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no TLS", e);
        }
    }

    public URI base() {
        return base;
    }

    /**
     * Ends the shared clients (their connections and selector threads), for a process about to
     * exit: one whose client is left open takes a third of a second longer to end, measured on a
     * one-shot CLI command. An endpoint made afterwards gets a new client.
     */
    public static void shutdownAll() {
        for (Configuration configuration : List.copyOf(CLIENTS.keySet())) {
            HttpClient client = CLIENTS.remove(configuration);
            if (client != null) {
                client.shutdownNow();
            }
        }
    }

    /**
     * Sends one request and reads the whole answer, all within {@code timeout}.
     *
     * @param path    appended to the base URL's path: empty, or starting with {@code /}, query included
     * @param json    the request body, written as JSON (a byte array is JSON written already), or null for none
     * @param headers request headers besides the endpoint's own, as name, value, name, value...
     * @throws DeadlineExceededException when the answer is not complete within {@code timeout}
     * @throws RedirectException         when the server answers with a redirect
     * @throws TooLargeException         when the answer's body is over {@link #MAX_BODY_BYTES}
     * @throws TlsException              when the server's certificate is not trusted or does not name it
     */
    public Response send(String method, String path, Object json, List<String> headers, Duration timeout) throws IOException {
        Duration deadline = clamp(timeout);
        CappedBodies bodies = new CappedBodies(System.nanoTime() + deadline.toNanos(), timeout);
        HttpResponse<byte[]> answer;
        try {
            answer = exchange(request(method, path, json, headers, deadline), bodies, timeout);
        } catch (IOException e) {
            // Cancelling a body closes its connection, and the client may report that instead.
            throw bodies.refusal != null ? bodies.refusal : e;
        }
        refuseRedirect(answer);
        return new Response(answer.statusCode(), byName(answer.headers()), answer.body());
    }

    /**
     * Sends one request and returns as soon as the answer's head arrived, its body to be read as it
     * comes (Server-Sent Events, NDJSON). The deadline covers the wait for the head; the body comes
     * at the server's pace, and closing the answer ends the exchange.
     */
    public Streamed stream(String method, String path, Object json, List<String> headers, Duration timeout) throws IOException {
        HttpResponse<InputStream> answer = exchange(request(method, path, json, headers, clamp(timeout)), BodyHandlers.ofInputStream(),
                timeout);
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
        HttpRequest.Builder request = HttpRequest.newBuilder(path.isEmpty() ? base : URI.create(base + path))
                .timeout(timeout)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(json instanceof byte[] written ? written : Json.bytes(json)))
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

    /**
     * One exchange through the client's synchronous call: its asynchronous one completes on the
     * common fork-join pool, which a caller that blocks a worker of that pool (one per core but
     * one) would starve for ever.
     */
    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> body, Duration asked) throws IOException {
        try {
            return client.send(request, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for an answer");
        } catch (IOException e) {
            throw failure(e, asked);
        }
    }

    /** The failure behind an exchange's (the client copies causes into new exceptions), with timeouts and TLS failures told apart. */
    private static IOException failure(IOException thrown, Duration asked) {
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            if (cause instanceof DeadlineExceededException || cause instanceof TooLargeException) {
                return (IOException) cause;
            }
            if (cause instanceof HttpConnectTimeoutException) {
                // Nothing was sent: callers that resend only what may have arrived tell it by its type.
                ConnectException refused = new ConnectException("connection timed out");
                refused.initCause(thrown);
                return refused;
            }
            if (cause instanceof HttpTimeoutException) {
                return new DeadlineExceededException(asked, thrown);
            }
            if (cause instanceof SSLException tls) {
                return TlsException.of(tls);
            }
        }
        return thrown;
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

    /** Makes an exchange's {@link CappedBody} and keeps why it was refused, if it was. */
    private static final class CappedBodies implements HttpResponse.BodyHandler<byte[]> {
        private final long end;
        private final Duration asked;
        private volatile IOException refusal;

        CappedBodies(long end, Duration asked) {
            this.end = end;
            this.asked = asked;
        }

        @Override
        public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
            return new CappedBody(info.headers().firstValueAsLong("content-length").orElse(-1), this);
        }
    }

    /**
     * The JDK's byte-array body with a cap and a deadline: an answer that announces or delivers
     * more than {@link #MAX_BODY_BYTES}, or is not complete by the deadline, is cancelled (which
     * closes its connection). {@link HttpRequest#timeout} stops at the answer's head until JDK 26,
     * hence the deadline here.
     */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final HttpResponse.BodySubscriber<byte[]> bytes = HttpResponse.BodySubscribers.ofByteArray();
        private final long announced;
        private final CappedBodies limits;
        private Flow.Subscription subscription;
        private ScheduledFuture<?> deadline;
        private long received;
        private boolean refused;

        CappedBody(long announced, CappedBodies limits) {
            this.announced = announced;
            this.limits = limits;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return bytes.getBody();
        }

        @Override
        public synchronized void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            bytes.onSubscribe(subscription);
            if (announced > MAX_BODY_BYTES) {
                refuse(new TooLargeException());
            } else {
                deadline = DEADLINES.schedule(this::expire, limits.end - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
        }

        /** From the deadline's thread: the callbacks may be running, hence the lock. */
        private synchronized void expire() {
            if (!refused) {
                refuse(new DeadlineExceededException(limits.asked, null));
            }
        }

        @Override
        public synchronized void onNext(List<ByteBuffer> items) {
            if (refused) {
                return;
            }
            for (ByteBuffer item : items) {
                received += item.remaining();
            }
            if (received > MAX_BODY_BYTES) {
                refuse(new TooLargeException());
                return;
            }
            bytes.onNext(items);
        }

        private void refuse(IOException why) {
            refused = true;
            limits.refusal = why;
            stopDeadline();
            subscription.cancel();
            bytes.onError(why);
        }

        private void stopDeadline() {
            if (deadline != null) {
                deadline.cancel(false);
            }
        }

        @Override
        public synchronized void onError(Throwable failure) {
            stopDeadline();
            if (!refused) {
                bytes.onError(failure);
            }
        }

        @Override
        public synchronized void onComplete() {
            stopDeadline();
            if (!refused) {
                bytes.onComplete();
            }
        }
    }
}
