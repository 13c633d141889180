package dev.campaignctl.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests no well-behaved client sends: any bytes in the request
 * line and headers, a body that contradicts its headers. One request per connection
 * ({@code Connection: close}); the body is written on another thread while the answer is read, so a
 * server that answers before reading everything is heard. No answer within {@code timeout} is
 * reported as such rather than waited for.
 */
final class RawHttp {

    /** An answer: status, headers by lower-case name, body. Status -1: the connection closed without one. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** The server did not answer in time. */
    static final class NoAnswer extends IOException {
        NoAnswer(String message) {
            super(message);
        }
    }

    private RawHttp() {
    }

    /** The head of a request: request line, {@code Host}, {@code Connection: close}, then {@code headers} as given. */
    static byte[] head(String method, byte[] target, Map<String, String> headers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(method.getBytes(StandardCharsets.ISO_8859_1));
        out.write(' ');
        out.writeBytes(target);
        out.writeBytes(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".getBytes(StandardCharsets.ISO_8859_1));
        headers.forEach((name, value) -> out.writeBytes((name + ": " + value + "\r\n").getBytes(StandardCharsets.UTF_8)));
        out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    static Response exchange(int port, byte[] head, byte[] body, Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(head);
                    if (body != null) {
                        out.write(body);
                    }
                    out.flush();
                } catch (IOException e) {
                    // The server may answer and close before it has read everything; the answer is what counts.
                }
            });
            try {
                return read(socket.getInputStream(), System.nanoTime() + timeout.toNanos(), timeout);
            } finally {
                writer.interrupt();
            }
        }
    }

    private static Response read(InputStream in, long deadline, Duration timeout) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received.write(buffer, 0, n);
                if (System.nanoTime() > deadline) {
                    throw new NoAnswer("the answer took longer than " + timeout);
                }
                Response complete = parse(received.toByteArray(), false);
                if (complete != null) {
                    return complete;
                }
            }
        } catch (SocketTimeoutException e) {
            throw new NoAnswer("no answer within " + timeout + "; received " + received.size() + " bytes");
        } catch (IOException e) {
            // A reset after the answer was sent (the server did not read the whole body) ends it too.
        }
        Response answer = parse(received.toByteArray(), true);
        return answer != null ? answer : new Response(-1, Map.of(), received.toByteArray());
    }

    /** The response in {@code bytes}, or null while incomplete (unless the connection has ended). */
    private static Response parse(byte[] bytes, boolean ended) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return null;
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        int start = end + 4;
        String length = headers.get("content-length");
        if (length != null) {
            int size = Integer.parseInt(length);
            if (bytes.length - start < size) {
                return ended ? new Response(status, headers, Arrays.copyOfRange(bytes, start, bytes.length)) : null;
            }
            return new Response(status, headers, Arrays.copyOfRange(bytes, start, start + size));
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            byte[] decoded = dechunk(bytes, start);
            return decoded != null ? new Response(status, headers, decoded) : ended ? new Response(status, headers, new byte[0]) : null;
        }
        return ended ? new Response(status, headers, Arrays.copyOfRange(bytes, start, bytes.length)) : null;
    }

    private static byte[] dechunk(byte[] bytes, int from) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = from;
        while (true) {
            int lineEnd = indexOf(bytes, at);
            if (lineEnd < 0) {
                return null;
            }
            int size = Integer.parseInt(new String(bytes, at, lineEnd - at, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
            at = lineEnd + 2;
            if (size == 0) {
                return out.toByteArray();
            }
            if (at + size + 2 > bytes.length) {
                return null;
            }
            out.write(bytes, at, size);
            at += size + 2;
        }
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
