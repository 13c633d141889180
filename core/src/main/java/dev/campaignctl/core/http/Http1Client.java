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
        this(base, null, ProxySelector.getDefault());
    }

    /** @param tlsFactory for https, or null for the JVM's default (its trust store) */
    Http1Client(URI base, SSLSocketFactory tlsFactory, ProxySelector proxies) {
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
        this.fixedHeaders = ("Host: " + authority() + "\r\nUser-Agent: campaignctl\r\n").getBytes(StandardCharsets.ISO_8859_1);
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
     * @param headers extra request headers as name, value, name, value...
     */
    public Response send(String method, String path, byte[] body, List<String> headers, Duration timeout) throws IOException {
        byte[] request = request(method, path, body, headers);
        Exchange exchange = new Exchange(System.nanoTime() + timeout.toNanos());
        Watchdog.INSTANCE.watch(exchange);
        Connection connection = null;
        try {
            connection = pooled();
            if (connection == null) {
                connection = open(exchange);
            } else {
                exchange.socket = connection.socket;
            }
            if (exchange.expired) {
                throw new IOException("deadline passed");
            }
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
            if (connection != null) {
                connection.close();
            }
            if (exchange.expired && e instanceof IOException io) {
                throw new DeadlineExceededException(timeout, io);
            }
            throw e;
        } finally {
            Watchdog.INSTANCE.forget(exchange);
        }
    }

    private byte[] request(String method, String path, byte[] body, List<String> headers) {
        if (!path.isEmpty() && path.charAt(0) != '/' || !token(path) || !token(method) || method.isEmpty()) {
            throw new IllegalArgumentException("a request path or method holds a space or control character: " + method + " " + path);
        }
        StringBuilder text = new StringBuilder(160);
        String target = targetPrefix + path;
        text.append(method).append(' ').append(target.isEmpty() ? "/" : target).append(" HTTP/1.1\r\n");
        StringBuilder extra = new StringBuilder(128);
        for (int i = 0; i + 1 < headers.size(); i += 2) {
            String name = headers.get(i);
            String value = headers.get(i + 1);
            if (!safeHeader(name) || !safeHeader(value) || name.isEmpty() || name.indexOf(':') >= 0) {
                // The value may be a key: say which header, never what it holds.
                throw new IllegalArgumentException("request header " + (safeHeader(name) ? name : "") + " holds a control character");
            }
            extra.append(name).append(": ").append(value).append("\r\n");
        }
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

    /** No spaces or control characters: what a request line's method and target may hold. */
    private static boolean token(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c == 0x7f) {
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
        exchange.socket = socket;
        try {
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
                exchange.socket = socket;
            }
            return new Connection(socket);
        } catch (IOException | RuntimeException e) {
            exchange.socket.close();
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
        Connection reply = new Connection(socket);
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
        SSLSocket socket = (SSLSocket) factory.createSocket(plain, unbracketed(), port, true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpLiteral(unbracketed())) {
            parameters.setServerNames(List.of(new SNIHostName(unbracketed())));
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
        volatile Socket socket;
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
            Socket current = socket;
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
     * One daemon thread that closes the connections of exchanges past their deadline. It ticks only
     * while exchanges are in flight, so an idle process has no wake-ups.
     */
    private static final class Watchdog implements Runnable {
        static final Watchdog INSTANCE = new Watchdog();
        private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

        private final Set<Exchange> running = ConcurrentHashMap.newKeySet();
        private final Thread thread;
        private volatile boolean sleeping;

        private Watchdog() {
            thread = Thread.ofPlatform().daemon().name("provider-deadlines").unstarted(this);
            thread.start();
        }

        void watch(Exchange exchange) {
            running.add(exchange);
            if (sleeping) {
                LockSupport.unpark(thread);
            }
        }

        void forget(Exchange exchange) {
            running.remove(exchange);
        }

        @Override
        public void run() {
            while (true) {
                if (running.isEmpty()) {
                    sleeping = true;
                    if (running.isEmpty()) {
                        LockSupport.park(this);
                    }
                    sleeping = false;
                    continue;
                }
                LockSupport.parkNanos(this, TICK_NANOS);
                long now = System.nanoTime();
                for (Exchange exchange : running) {
                    if (now - exchange.deadline >= 0) {
                        exchange.expire();
                    }
                }
            }
        }
    }

    /** A socket with its read buffer; reads block without a timeout (the watchdog bounds them). */
    private static final class Connection {
        final Socket socket;
        private final InputStream in;
        final OutputStream out;
        private byte[] buffer = new byte[8192];
        private int position;
        private int limit;
        private boolean lastVersion11;
        long idleUntil;
        long keepAliveNanos = DEFAULT_IDLE_NANOS;
        boolean reusable;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to do: the connection is gone either way
            }
        }

        Response readResponse() throws IOException {
            Map<String, String> headers = new HashMap<>();
            int status;
            boolean http11;
            do {
                headers.clear();
                status = readHead(headers);
                http11 = lastVersion11;
            } while (status >= 100 && status < 200 && status != 101);
            if (status == 101) {
                throw new IOException("the server switched protocols");
            }
            byte[] body;
            boolean delimited = true;
            String encoding = headers.get("transfer-encoding");
            String length = headers.get("content-length");
            if (encoding != null) {
                if (!encoding.toLowerCase(Locale.ROOT).strip().endsWith("chunked")) {
                    body = readToEnd();
                    delimited = false;
                } else {
                    body = readChunked();
                }
            } else if (length != null) {
                body = readExactly(contentLength(length));
            } else if (status == 204 || status == 304) {
                body = new byte[0];
            } else {
                body = readToEnd();
                delimited = false;
            }
            String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
            reusable = delimited && http11 && !connection.contains("close");
            keepAliveNanos = keepAlive(headers.get("keep-alive"));
            return new Response(status, headers, body);
        }

        /** Reads a status line and headers; returns the status. */
        int readHead(Map<String, String> headers) throws IOException {
            int budget = MAX_HEADER_BYTES;
            String statusLine = readLine(budget);
            budget -= statusLine.length();
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
                throw new IOException("not an HTTP/1.x response");
            }
            lastVersion11 = statusLine.charAt(7) != '0';
            int status;
            try {
                status = Integer.parseInt(statusLine.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new IOException("malformed status line");
            }
            String line;
            while (!(line = readLine(budget)).isEmpty()) {
                budget -= line.length() + 2;
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("malformed response header");
                }
                String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).strip();
                headers.merge(name, value, (first, next) -> first + ", " + next);
            }
            return status;
        }

        private static int contentLength(String value) throws IOException {
            String single = value;
            int comma = value.indexOf(',');
            if (comma >= 0) {
                // Repeated Content-Length headers are only acceptable when they agree.
                for (String part : value.split(",")) {
                    if (!part.strip().equals(value.substring(0, comma).strip())) {
                        throw new IOException("conflicting Content-Length headers");
                    }
                }
                single = value.substring(0, comma);
            }
            long length;
            try {
                length = Long.parseLong(single.strip());
            } catch (NumberFormatException e) {
                throw new IOException("malformed Content-Length");
            }
            if (length < 0) {
                throw new IOException("malformed Content-Length");
            }
            if (length > MAX_BODY_BYTES) {
                throw new TooLargeException("the response body exceeds " + MAX_BODY_BYTES + " bytes");
            }
            return (int) length;
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

        private byte[] readExactly(int length) throws IOException {
            byte[] body = new byte[length];
            int copied = Math.min(length, limit - position);
            System.arraycopy(buffer, position, body, 0, copied);
            position += copied;
            while (copied < length) {
                int read = in.read(body, copied, length - copied);
                if (read < 0) {
                    throw new EOFException("the connection closed before the response was complete");
                }
                copied += read;
            }
            return body;
        }

        private byte[] readChunked() throws IOException {
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine(1024);
                int semicolon = sizeLine.indexOf(';');
                String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).strip();
                long size;
                try {
                    size = Long.parseLong(hex, 16);
                } catch (NumberFormatException e) {
                    throw new IOException("malformed chunk size");
                }
                if (size < 0 || body.size() + size > MAX_BODY_BYTES) {
                    throw new TooLargeException("the response body exceeds " + MAX_BODY_BYTES + " bytes");
                }
                if (size == 0) {
                    int budget = MAX_HEADER_BYTES;
                    String trailer;
                    while (!(trailer = readLine(budget)).isEmpty()) {
                        budget -= trailer.length() + 2;
                    }
                    return body.toByteArray();
                }
                body.write(readExactly((int) size));
                if (!readLine(2).isEmpty()) {
                    throw new IOException("malformed chunk");
                }
            }
        }

        private byte[] readToEnd() throws IOException {
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            body.write(buffer, position, limit - position);
            position = limit;
            byte[] chunk = new byte[8192];
            int read;
            while ((read = in.read(chunk)) >= 0) {
                if (body.size() + read > MAX_BODY_BYTES) {
                    throw new TooLargeException("the response body exceeds " + MAX_BODY_BYTES + " bytes");
                }
                body.write(chunk, 0, read);
            }
            return body.toByteArray();
        }
    }
}
