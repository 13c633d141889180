package dev.campaignctl.core.ai;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads Server-Sent Events as the WHATWG spec frames them: {@code event:} and {@code data:} lines
 * up to a blank line make one event (several data lines joined by a line feed), lines starting
 * with {@code :} are comments, CR LF, LF and CR each end a line. It works on bytes: an OpenAI
 * chunk's data is passed on as the provider sent it, never decoded to characters and back.
 */
final class SseReader {

    /** One event: its name ({@code message} when none was given) and data, as the bytes that came. */
    record Event(String name, byte[] data) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }

        boolean dataIs(byte[] ascii) {
            return Arrays.equals(data, ascii);
        }
    }

    /** The longest line read; a provider never sends one near it, a broken one might never end one. */
    private static final int MAX_LINE = 4 * 1024 * 1024;
    private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);

    private final InputStream in;
    private byte[] buffer = new byte[8192];
    /** What is buffered and not yet read: {@code buffer[position, limit)}. */
    private int position;
    private int limit;
    /** The last line ended with CR: a LF that follows belongs to it. */
    private boolean afterCr;
    private boolean ended;
    /** Where the line {@link #readLine} found lies in {@link #buffer}. */
    private int lineStart;
    private int lineEnd;
    private ChatStream.BeforeWaiting beforeWaiting;

    SseReader(InputStream body) {
        this.in = body;
    }

    /**
     * Calls {@code hook} before reading from the provider when nothing is buffered here and nothing
     * more has arrived, that is before waiting: after an event, a comment line (a keep-alive) or the
     * blank line that ends one. (A line already begun is read to its end without it: the rest of a
     * packet split mid-line.)
     */
    void beforeWaiting(ChatStream.BeforeWaiting hook) {
        this.beforeWaiting = hook;
    }

    /** The next event, or null at the end of the stream. */
    Event next() throws IOException {
        String name = null;
        byte[] data = null;
        ByteArrayOutputStream lines = null;
        while (readLine()) {
            int length = lineEnd - lineStart;
            if (length == 0) {
                Event event = event(name, data, lines);
                if (event != null) {
                    return event;
                }
                name = null;
                continue;
            }
            if (buffer[lineStart] == ':') {
                continue;
            }
            int colon = lineStart;
            while (colon < lineEnd && buffer[colon] != ':') {
                colon++;
            }
            int valueStart = colon == lineEnd ? lineEnd : colon + 1 < lineEnd && buffer[colon + 1] == ' ' ? colon + 2 : colon + 1;
            if (is(EVENT, lineStart, colon)) {
                name = new String(buffer, valueStart, lineEnd - valueStart, StandardCharsets.UTF_8);
            } else if (is(DATA, lineStart, colon)) {
                if (data == null && lines == null) {
                    data = Arrays.copyOfRange(buffer, valueStart, lineEnd);
                } else {
                    if (lines == null) {
                        lines = new ByteArrayOutputStream();
                        lines.writeBytes(data);
                    }
                    lines.write('\n');
                    lines.write(buffer, valueStart, lineEnd - valueStart);
                    if (lines.size() > MAX_LINE) {
                        throw new IOException("an event of over " + MAX_LINE + " bytes");
                    }
                }
            }
        }
        return event(name, data, lines);
    }

    /** The event its lines made ({@code lines} when it had several data lines), or null when it had no data. */
    private static Event event(String name, byte[] data, ByteArrayOutputStream lines) {
        byte[] joined = lines != null ? lines.toByteArray() : data;
        return joined == null ? null : new Event(name == null ? "message" : name, joined);
    }

    private boolean is(byte[] field, int start, int end) {
        return end - start == field.length && Arrays.equals(buffer, start, end, field, 0, field.length);
    }

    /** Finds the next line in the buffer, reading more as needed; false at the end of the stream. */
    private boolean readLine() throws IOException {
        int scanned = position;
        while (true) {
            if (afterCr && position < limit) {
                afterCr = false;
                if (buffer[position] == '\n') {
                    position++;
                    scanned = position;
                    continue;
                }
            }
            for (int i = scanned; i < limit; i++) {
                byte b = buffer[i];
                if (b == '\n' || b == '\r') {
                    lineStart = position;
                    lineEnd = i;
                    position = i + 1;
                    afterCr = b == '\r';
                    return true;
                }
            }
            if (ended) {
                if (position < limit) {
                    // The last line, ended by the end of the stream.
                    lineStart = position;
                    lineEnd = limit;
                    position = limit;
                    return true;
                }
                return false;
            }
            scanned = limit;
            if (position == limit && beforeWaiting != null && in.available() == 0) {
                beforeWaiting.run();
            }
            scanned -= fill();
        }
    }

    /** Reads more into the buffer, moving what is unread to its start; returns by how much the unread bytes moved. */
    private int fill() throws IOException {
        int moved = position;
        if (position > 0) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            limit -= position;
            position = 0;
        }
        if (limit == buffer.length) {
            if (buffer.length >= MAX_LINE) {
                throw new IOException("an event line of over " + MAX_LINE + " bytes");
            }
            buffer = Arrays.copyOf(buffer, Math.min(MAX_LINE, buffer.length * 2));
        }
        int read = in.read(buffer, limit, buffer.length - limit);
        if (read < 0) {
            ended = true;
        } else {
            limit += read;
        }
        return moved;
    }
}
