package dev.campaignctl.core.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A small HTTP/1.1 client for one server, made for JSON calls — the LLM providers', and the CLI's
 * and the agents' calls to our own services:
 * <pre>{@code
 * Http1Client client = new Http1Client(URI.create("https://api.openai.com/v1"));
 * Http1Client.Response response = client.send("POST", "/chat/completions", json,
 *         List.of("Content-Type", "application/json", "Authorization", "Bearer " + key), Duration.ofSeconds(60));
 * }</pre>
 * Keep-alive connections are pooled; each request goes out in one write; responses may be
 * length-delimited, chunked or closed (HEAD is not supported); https checks the server's
 * certificate and host name; an HTTP proxy from the JVM's {@link ProxySelector} is used as the JDK
 * would (CONNECT for https), and so is a SOCKS one. Redirects are never followed, and a request
 * that failed is never sent again: retries are the caller's.
 *
 * <p>Why not the JDK's clients: the AI gateway runs on virtual threads, where a socket read with a
 * timeout arms and cancels a scheduler timer on every read, and {@code HttpURLConnection} and
 * {@code HttpClient} add their own hand-offs; on two cores at 16 concurrent calls that was most of
 * the gateway's added latency ({@code scripts/bench-ai}). Here reads block without a timeout, and
 * one watchdog thread closes the socket of any exchange that outlives its deadline. For a one-shot
 * CLI command the JDK's clients cost start-up time: {@code HttpClient} a third of a second, and
 * {@code HttpURLConnection} a search of every jar on the class path for URL handlers and logging.
 */
public final class Http1Client {

    /** A response: status, headers by lower-case name (repeated ones joined by ", "), and the body. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String header(String lowerCaseName) {
            return headers.get(lowerCaseName);
        }
    }

    /** The exchange outlived its deadline; its connection was closed. */
    public static final class DeadlineExceededException extends IOException {
        DeadlineExceededException(Duration timeout, IOException cause) {
            super("no complete answer within " + timeout.toMillis() + " ms", cause);
        }
    }

    /** The server answered with more than {@link #MAX_BODY_BYTES}, or headers past {@link #MAX_HEADER_BYTES}. */
    public static final class TooLargeException extends IOException {
        TooLargeException(String message) {
            super(message);
        }
    }

    public static final int MAX_BODY_BYTES = 32 * 1024 * 1024;
    private static final Duration MAX_TIMEOUT = Duration.ofDays(1);
    private static final int MAX_INTERIM_RESPONSES = 10;
    private static final Set<String> IDEMPOTENT = Set.of("GET", "PUT", "DELETE", "OPTIONS");
    /** Framing and routing headers are the client's own. */
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-length", "transfer-encoding", "connection", "te",
            "upgrade", "expect");
    static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_IDLE_CONNECTIONS = 64;
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    /** Idle connections are dropped before common servers drop them (uvicorn and Node.js after 5 s). */
    private static final long DEFAULT_IDLE_NANOS = TimeUnit.SECONDS.toNanos(4);

    private final String host;
    private final int port;
    private final boolean tls;
    private final SSLSocketFactory tlsFactory;
    private final Proxy proxy;
    /** What goes before each request's path: the base URL's path, or for a plain-http proxy the whole base URL. */
    private final String targetPrefix;
    private final byte[] fixedHeaders;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final java.util.concurrent.atomic.AtomicInteger idleCount = new java.util.concurrent.atomic.AtomicInteger();

    /** @param base the server's URL, optionally with a path that every request's path is appended to */
    public Http1Client(URI base) {
        this(base, List.of());
    }

    /**
     * @param headers request headers sent with every request (name, value, name, value...), checked
     *                and encoded once here rather than on each call
     */
    public Http1Client(URI base, List<String> headers) {
        this(base, headers, null, ProxySelector.getDefault());
    }

    /** @param tlsFactory for https, or null for the JVM's default (its trust store) */
    Http1Client(URI base, SSLSocketFactory tlsFactory, ProxySelector proxies) {
        this(base, List.of(), tlsFactory, proxies);
    }

    private Http1Client(URI base, List<String> headers, SSLSocketFactory tlsFactory, ProxySelector proxies) {
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || base.getHost() == null || base.getRawQuery() != null) {
            throw new IllegalArgumentException("not an http(s) URL without a query: " + base);
        }
        this.tls = scheme.equals("https");
        this.host = base.getHost();
        this.port = base.getPort() != -1 ? base.getPort() : tls ? 443 : 80;
        this.tlsFactory = tlsFactory;
        this.proxy = proxyFor(base, proxies);
        String path = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        this.targetPrefix = proxy.type() == Proxy.Type.HTTP && !tls ? scheme + "://" + authority() + path : path;
        this.fixedHeaders = ("Host: " + authority() + "\r\nUser-Agent: campaignctl\r\n" + headerLines(headers))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static Proxy proxyFor(URI base, ProxySelector proxies) {
        if (proxies == null) {
            return Proxy.NO_PROXY;
        }
        List<Proxy> choices = proxies.select(base);
        return choices == null || choices.isEmpty() ? Proxy.NO_PROXY : choices.get(0);
    }

    private String authority() {
        boolean defaultPort = port == (tls ? 443 : 80);
        return defaultPort ? host : host + ":" + port;
    }

    /**
     * Sends one request and reads the whole answer, all within {@code timeout}.
     *
     * @param path    appended to the base URL's path: empty, or starting with {@code /}, query included
     * @param body    the request body, or null for none
     * @param headers request headers besides the client's own, as name, value, name, value...
     */
    public Response send(String method, String path, byte[] body, List<String> headers, Duration timeout) throws IOException {
        byte[] request = request(method, path, body, headers);
        Exchange exchange = new Exchange(System.nanoTime() + Math.max(0, timeout.compareTo(MAX_TIMEOUT) > 0
                ? MAX_TIMEOUT.toNanos() : timeout.toNanos()));
        Watchdog.INSTANCE.watch(exchange);
        try {
            Connection pooled = pooled();
            if (pooled != null) {
                try {
                    return exchange(pooled, exchange, request);
                } catch (IOException e) {
                    // A kept-alive connection the server had closed fails before any answer; an
                    // idempotent request may go again on a new one, anything else is the caller's call.
                    if (exchange.expired || pooled.received > 0 || !IDEMPOTENT.contains(method)) {
                        throw e;
                    }
                }
            }
            return exchange(open(exchange), exchange, request);
        } catch (IOException e) {
            if (exchange.expired) {
                throw new DeadlineExceededException(timeout, e);
            }
            throw e;
        } finally {
            Watchdog.INSTANCE.forget(exchange);
        }
    }

    private Response exchange(Connection connection, Exchange exchange, byte[] request) throws IOException {
        exchange.raw = connection.raw;
        try {
            if (exchange.expired) {
                throw new IOException("deadline passed");
            }
            connection.received = 0;
            connection.out.write(request);
            connection.out.flush();
            Response response = connection.readResponse();
            if (exchange.finish() && connection.reusable) {
                release(connection);
            } else {
                connection.close();
            }
            return response;
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private byte[] request(String method, String path, byte[] body, List<String> headers) {
        if (!path.isEmpty() && path.charAt(0) != '/' || !visibleAscii(path) || !isToken(method) || method.equals("HEAD")
                || method.equals("CONNECT")) {
            throw new IllegalArgumentException("not a request this client makes: " + method + " " + path.replaceAll("[^\\x21-\\x7e]", "?"));
        }
        StringBuilder text = new StringBuilder(160);
        String target = targetPrefix + path;
        text.append(method).append(' ').append(target.isEmpty() ? "/" : target).append(" HTTP/1.1\r\n");
        StringBuilder extra = new StringBuilder(headerLines(headers));
        if (body != null || !(method.equals("GET") || method.equals("DELETE") || method.equals("OPTIONS"))) {
            extra.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n");
        }
        extra.append("\r\n");
        byte[] line = text.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] tail = extra.toString().getBytes(StandardCharsets.UTF_8);
        int length = body == null ? 0 : body.length;
        byte[] request = new byte[line.length + fixedHeaders.length + tail.length + length];
        System.arraycopy(line, 0, request, 0, line.length);
        System.arraycopy(fixedHeaders, 0, request, line.length, fixedHeaders.length);
        System.arraycopy(tail, 0, request, line.length + fixedHeaders.length, tail.length);
        if (body != null) {
            System.arraycopy(body, 0, request, line.length + fixedHeaders.length + tail.length, length);
        }
        return request;
    }

    /** Header lines ("Name: value\r\n") for name, value pairs, refused when a name or value could break the request. */
    private static String headerLines(List<String> headers) {
        if (headers.size() % 2 != 0) {
            throw new IllegalArgumentException("request headers come as name, value pairs; got " + headers.size() + " items");
        }
        StringBuilder lines = new StringBuilder(128);
        for (int i = 0; i < headers.size(); i += 2) {
            String name = headers.get(i);
            String value = headers.get(i + 1);
            if (!isToken(name) || RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("not a request header this client lets callers set: " + name.replaceAll("[^\\x21-\\x7e]", "?"));
            }
            if (!safeHeader(value)) {
                // The value may be a key: say which header, never what it holds.
                throw new IllegalArgumentException("request header " + name + " holds a control character");
            }
            lines.append(name).append(": ").append(value).append("\r\n");
        }
        return lines.toString();
    }

    /** Printable ASCII without spaces: what a request target may hold (anything else is percent-encoded first). */
    private static boolean visibleAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** An RFC 9110 token: a method or a header name. */
    static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    private static boolean safeHeader(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** The most recently used idle connection still fresh; stale ones are closed on the way. */
    private Connection pooled() {
        long now = System.nanoTime();
        Connection connection;
        while ((connection = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            if (now - connection.idleUntil < 0) {
                return connection;
            }
            connection.close();
        }
        return null;
    }

    /** Keeps a connection for reuse, most recent first; the oldest go when stale or past the cap. */
    private void release(Connection connection) {
        long now = System.nanoTime();
        connection.idleUntil = now + connection.keepAliveNanos;
        idle.offerFirst(connection);
        int count = idleCount.incrementAndGet();
        Connection oldest;
        while ((oldest = idle.peekLast()) != null && (count > MAX_IDLE_CONNECTIONS || now - oldest.idleUntil >= 0)) {
            if (idle.removeLastOccurrence(oldest)) {
                count = idleCount.decrementAndGet();
                oldest.close();
            } else {
                count = idleCount.get();
            }
        }
    }

    /** Closes every idle connection; the client stays usable. */
    public void closeIdle() {
        Connection connection;
        while ((connection = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            connection.close();
        }
    }

    private Connection open(Exchange exchange) throws IOException {
        Socket socket = switch (proxy.type()) {
            case SOCKS -> new Socket(proxy);
            default -> new Socket();
        };
        exchange.raw = socket;
        Socket raw = socket;
        try {
            // The watchdog may have fired before it could see this socket: then nothing would close
            // it, and a TLS handshake or proxy CONNECT below would wait forever.
            if (exchange.expired) {
                throw new IOException("deadline passed");
            }
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            SocketAddress target = proxy.type() == Proxy.Type.SOCKS ? InetSocketAddress.createUnresolved(unbracketed(), port)
                    : proxy.type() == Proxy.Type.HTTP ? proxy.address() : new InetSocketAddress(unbracketed(), port);
            if (target instanceof InetSocketAddress address && address.isUnresolved() && proxy.type() == Proxy.Type.HTTP) {
                target = new InetSocketAddress(address.getHostString(), address.getPort());
            }
            socket.connect(target, CONNECT_TIMEOUT_MS);
            if (proxy.type() == Proxy.Type.HTTP && tls) {
                tunnel(socket);
            }
            if (tls) {
                socket = handshake(socket);
            }
            return new Connection(socket, raw);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private String unbracketed() {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** Asks an HTTP proxy for a tunnel to the endpoint; anything but 2xx is an error. */
    private void tunnel(Socket socket) throws IOException {
        String hostPort = host + ":" + port;
        socket.getOutputStream().write(("CONNECT " + hostPort + " HTTP/1.1\r\nHost: " + hostPort + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        Connection reply = new Connection(socket, socket);
        int status = reply.readHead(new HashMap<>());
        if (status < 200 || status > 299) {
            throw new IOException("the proxy refused a tunnel to " + hostPort + " (status " + status + ")");
        }
        if (reply.limit > reply.position) {
            throw new IOException("the proxy sent data before the tunnel opened");
        }
    }

    private Socket handshake(Socket plain) throws IOException {
        SSLSocketFactory factory = tlsFactory != null ? tlsFactory : (SSLSocketFactory) SSLSocketFactory.getDefault();
        // A fully qualified name's trailing dot is not part of the name a certificate carries.
        String host = unbracketed();
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        SSLSocket socket = (SSLSocket) factory.createSocket(plain, name, port, true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpLiteral(name)) {
            parameters.setServerNames(List.of(new SNIHostName(name)));
        }
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
    }

    /** One exchange in flight, for the watchdog: either it finishes or the watchdog expires it, never both. */
    private static final class Exchange {
        final long deadline;
        /**
         * The plain socket under the exchange (under TLS too): closing it never waits, where closing
         * an SSLSocket waits for its write lock, which a write to a peer that stopped reading holds.
         */
        volatile Socket raw;
        private final java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();
        volatile boolean expired;

        Exchange(long deadline) {
            this.deadline = deadline;
        }

        /** True when the exchange ended before its deadline, so its connection may be kept. */
        boolean finish() {
            return settled.compareAndSet(false, true);
        }

        void expire() {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            expired = true;
            Socket current = raw;
            if (current != null) {
                try {
                    current.close();
                } catch (IOException ignored) {
                    // closing is all that is wanted; the exchange's own read reports the failure
                }
            }
        }
    }

    /**
     * One daemon thread that closes the connections of exchanges past their deadline. It ticks every
     * 20 ms while exchanges are in flight and sleeps otherwise (at most a second, so that even a
     * wake-up lost to a race costs a deadline no more than that).
     */
    private static final class Watchdog implements Runnable {
        static final Watchdog INSTANCE = new Watchdog();
        private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
        private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

        private final Set<Exchange> running = ConcurrentHashMap.newKeySet();
        /** The size of {@link #running}, exactly: the decision to sleep must not rest on a set's approximate size. */
        private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        private final Thread thread;
        private volatile boolean sleeping;

        private Watchdog() {
            thread = Thread.ofPlatform().daemon().name("http-deadlines").unstarted(this);
            thread.start();
        }

        void watch(Exchange exchange) {
            running.add(exchange);
            inFlight.incrementAndGet();
            if (sleeping) {
                LockSupport.unpark(thread);
            }
        }

        void forget(Exchange exchange) {
            running.remove(exchange);
            inFlight.decrementAndGet();
        }

        @Override
        public void run() {
            while (true) {
                if (inFlight.get() == 0) {
                    sleeping = true;
                    if (inFlight.get() == 0) {
                        LockSupport.parkNanos(this, IDLE_NANOS);
                    }
                    sleeping = false;
                } else {
                    LockSupport.parkNanos(this, TICK_NANOS);
                }
                long now = System.nanoTime();
                for (Exchange exchange : running) {
                    if (now - exchange.deadline >= 0) {
                        exchange.expire();
                    }
                }
            }
        }
    }

    /** A body being read, grown as bytes arrive (a length a server announces is not yet memory to reserve). */
    private static final class Body {
        private byte[] bytes;
        private int size;

        Body(long expected) {
            bytes = new byte[(int) Math.min(Math.max(expected, 0), 64 * 1024)];
        }

        /** Room for at least one more byte, up to {@link #MAX_BODY_BYTES} in all. */
        void reserve(long more) throws TooLargeException {
            if (size + more > MAX_BODY_BYTES) {
                throw new TooLargeException("the response body exceeds " + MAX_BODY_BYTES + " bytes");
            }
            if (size == bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, (int) Math.min(MAX_BODY_BYTES, Math.max(8192, (long) bytes.length * 2)));
            }
        }

        byte[] toArray() {
            return size == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, size);
        }
    }

    /** A socket with its read buffer; reads block without a timeout (the watchdog bounds them). */
    private static final class Connection {
        final Socket raw;
        private final InputStream in;
        final OutputStream out;
        private byte[] buffer = new byte[8192];
        private int position;
        private int limit;
        private boolean lastVersion11;
        /** Bytes read since the current request was sent: none means the server never answered it. */
        long received;
        long idleUntil;
        long keepAliveNanos = DEFAULT_IDLE_NANOS;
        boolean reusable;

        /** @param raw the plain socket under {@code socket} (the same one without TLS) */
        Connection(Socket socket, Socket raw) throws IOException {
            this.raw = raw;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /** Closes the plain socket: no TLS close_notify, which could wait on a peer that stopped reading. */
        void close() {
            try {
                raw.close();
            } catch (IOException ignored) {
                // nothing to do: the connection is gone either way
            }
        }

        Response readResponse() throws IOException {
            Map<String, String> headers = new HashMap<>();
            int status = 0;
            for (int interim = 0; interim <= MAX_INTERIM_RESPONSES; interim++) {
                headers.clear();
                status = readHead(headers);
                if (status >= 200 || status == 101) {
                    break;
                }
            }
            if (status < 200) {
                throw new IOException(status == 101 ? "the server switched protocols" : "too many interim (1xx) responses");
            }
            boolean http11 = lastVersion11;
            String encoding = headers.get("transfer-encoding");
            String length = headers.get("content-length");
            byte[] body;
            boolean delimited = true;
            if (status == 204 || status == 304) {
                body = new byte[0];
            } else if (encoding != null) {
                String[] codings = encoding.split(",");
                if (codings[codings.length - 1].strip().equalsIgnoreCase("chunked")) {
                    body = readChunked();
                } else {
                    body = readToEnd();
                    delimited = false;
                }
            } else if (length != null) {
                body = readExactly(contentLength(length));
            } else {
                body = readToEnd();
                delimited = false;
            }
            String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
            // Left-over bytes would be read as the next request's answer; a message with both
            // framings (or chunked under HTTP/1.0) is one a proxy may have read differently.
            reusable = delimited && http11 && !connection.contains("close") && position == limit
                    && (encoding == null || length == null);
            keepAliveNanos = keepAlive(headers.get("keep-alive"));
            return new Response(status, headers, body);
        }

        /** Reads a status line and headers; returns the status. */
        int readHead(Map<String, String> headers) throws IOException {
            int budget = MAX_HEADER_BYTES;
            String statusLine = readLine(budget);
            budget -= statusLine.length() + 2;
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' '
                    || statusLine.length() > 12 && statusLine.charAt(12) != ' ') {
                throw new IOException("not an HTTP/1.x response");
            }
            lastVersion11 = statusLine.charAt(7) == '1';
            int status = 0;
            for (int i = 9; i < 12; i++) {
                char c = statusLine.charAt(i);
                if (c < '0' || c > '9') {
                    throw new IOException("malformed status line");
                }
                status = status * 10 + (c - '0');
            }
            String line;
            while (!(line = readLine(budget)).isEmpty()) {
                budget -= line.length() + 2;
                int colon = line.indexOf(':');
                if (colon <= 0 || !isToken(line.substring(0, colon))) {
                    // Covers obsolete line folding (a line starting with a space) and names with spaces.
                    throw new IOException("malformed response header");
                }
                String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).strip();
                headers.merge(name, value, (first, next) -> first + ", " + next);
            }
            return status;
        }

        private static long contentLength(String value) throws IOException {
            String first = null;
            for (String part : value.split(",", -1)) {
                String single = part.strip();
                if (single.isEmpty() || single.length() > 18 || !single.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IOException("malformed Content-Length");
                }
                if (first != null && !first.equals(single)) {
                    // Repeated Content-Length headers are only acceptable when they agree.
                    throw new IOException("conflicting Content-Length headers");
                }
                first = single;
            }
            return Long.parseLong(first);
        }

        /** Keep-Alive: timeout=N shortens how long the connection stays pooled (kept a second under N). */
        private static long keepAlive(String value) {
            if (value == null) {
                return DEFAULT_IDLE_NANOS;
            }
            for (String part : value.split(",")) {
                String[] pair = part.strip().split("=", 2);
                if (pair.length == 2 && pair[0].strip().equalsIgnoreCase("timeout")) {
                    try {
                        long seconds = Long.parseLong(pair[1].strip());
                        return Math.min(DEFAULT_IDLE_NANOS, TimeUnit.SECONDS.toNanos(Math.max(0, seconds - 1)));
                    } catch (NumberFormatException e) {
                        return DEFAULT_IDLE_NANOS;
                    }
                }
            }
            return DEFAULT_IDLE_NANOS;
        }

        /** Reads more into the buffer, moving unread bytes to its start (and growing it when full). */
        private boolean fill() throws IOException {
            if (position > 0) {
                System.arraycopy(buffer, position, buffer, 0, limit - position);
                limit -= position;
                position = 0;
            }
            if (limit == buffer.length) {
                buffer = java.util.Arrays.copyOf(buffer, buffer.length * 2);
            }
            int read = in.read(buffer, limit, buffer.length - limit);
            if (read < 0) {
                return false;
            }
            received += read;
            limit += read;
            return true;
        }

        /** A line without its CRLF (a bare LF is accepted), refused past {@code max} bytes. */
        private String readLine(int max) throws IOException {
            int scanned = 0;
            while (true) {
                for (int i = position + scanned; i < limit; i++) {
                    if (buffer[i] == '\n') {
                        int end = i > position && buffer[i - 1] == '\r' ? i - 1 : i;
                        String line = new String(buffer, position, end - position, StandardCharsets.ISO_8859_1);
                        position = i + 1;
                        return line;
                    }
                }
                scanned = limit - position;
                if (scanned > max) {
                    throw new TooLargeException("response headers exceed " + MAX_HEADER_BYTES + " bytes");
                }
                if (!fill()) {
                    throw new EOFException("the connection closed before the response was complete");
                }
            }
        }

        private byte[] readExactly(long length) throws IOException {
            Body body = new Body(length);
            appendExactly(body, length);
            return body.toArray();
        }

        /** Appends exactly {@code length} more bytes (a body past the cap is refused before any is read). */
        private void appendExactly(Body body, long length) throws IOException {
            long remaining = length;
            while (remaining > 0) {
                body.reserve(remaining);
                int read = readInto(body, (int) Math.min(remaining, body.bytes.length - body.size));
                if (read < 0) {
                    throw new EOFException("the connection closed before the response was complete");
                }
                remaining -= read;
            }
        }

        /** Up to {@code max} bytes into the body: what the buffer holds first, then straight from the socket; -1 at its end. */
        private int readInto(Body body, int max) throws IOException {
            int read;
            if (position < limit) {
                read = Math.min(max, limit - position);
                System.arraycopy(buffer, position, body.bytes, body.size, read);
                position += read;
            } else {
                read = in.read(body.bytes, body.size, max);
                if (read < 0) {
                    return -1;
                }
                received += read;
            }
            body.size += read;
            return read;
        }

        private byte[] readChunked() throws IOException {
            Body body = new Body(0);
            while (true) {
                String sizeLine = readLine(1024);
                int semicolon = sizeLine.indexOf(';');
                String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).strip();
                if (hex.isEmpty() || hex.length() > 8 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                    throw new IOException("malformed chunk size");
                }
                long size = Long.parseLong(hex, 16);
                if (size == 0) {
                    int budget = MAX_HEADER_BYTES;
                    String trailer;
                    while (!(trailer = readLine(budget)).isEmpty()) {
                        budget -= trailer.length() + 2;
                    }
                    return body.toArray();
                }
                appendExactly(body, size);
                if (!readLine(2).isEmpty()) {
                    throw new IOException("malformed chunk");
                }
            }
        }

        private byte[] readToEnd() throws IOException {
            Body body = new Body(0);
            while (true) {
                if (body.size == MAX_BODY_BYTES) {
                    // Exactly at the cap is fine, if the server closes now.
                    if (position == limit && in.read() < 0) {
                        return body.toArray();
                    }
                    throw new TooLargeException("the response body exceeds " + MAX_BODY_BYTES + " bytes");
                }
                body.reserve(1);
                if (readInto(body, body.bytes.length - body.size) < 0) {
                    return body.toArray();
                }
            }
        }
    }
}
