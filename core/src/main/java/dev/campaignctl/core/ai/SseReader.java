package dev.campaignctl.core.ai;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads Server-Sent Events as the WHATWG spec frames them: {@code event:} and {@code data:} lines
 * up to a blank line make one event (several data lines joined by a line feed), lines starting
 * with {@code :} are comments, CR LF and LF both end a line.
 */
final class SseReader {

    /** One event: its name ({@code message} when none was given) and data. */
    record Event(String name, String data) {
    }

    /** The longest line read; a provider never sends one near it, a broken one might never end one. */
    private static final int MAX_LINE = 4 * 1024 * 1024;

    private final BufferedReader reader;

    SseReader(InputStream body) {
        this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 8192);
    }

    private ChatStream.BeforeWaiting beforeWaiting;

    /**
     * Calls {@code hook} before reading a line when nothing is buffered, that is before waiting for
     * the provider: after an event, a comment line (a keep-alive) or the blank line that ends one.
     * (A line already begun is read to its end without it: the rest of a packet split mid-line.)
     */
    void beforeWaiting(ChatStream.BeforeWaiting hook) {
        this.beforeWaiting = hook;
    }

    private String readLine() throws IOException {
        if (beforeWaiting != null && !reader.ready()) {
            beforeWaiting.run();
        }
        return reader.readLine();
    }

    /** The next event, or null at the end of the stream. */
    Event next() throws IOException {
        String name = null;
        StringBuilder data = null;
        String line;
        while ((line = readLine()) != null) {
            if (line.length() > MAX_LINE) {
                throw new IOException("an event line of over " + MAX_LINE + " characters");
            }
            if (line.isEmpty()) {
                if (data != null) {
                    return new Event(name == null ? "message" : name, data.toString());
                }
                name = null;
                continue;
            }
            if (line.charAt(0) == ':') {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1 < line.length() && line.charAt(colon + 1) == ' ' ? colon + 2 : colon + 1);
            if (field.equals("event")) {
                name = value;
            } else if (field.equals("data")) {
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
        }
        return data == null ? null : new Event(name == null ? "message" : name, data.toString());
    }
}
