package dev.campaignctl.server;

import dev.campaignctl.core.ai.ChatGateway;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A streamed chat answer as Server-Sent Events in OpenAI's framing ({@code data: <chunk>} and a
 * blank line per event, {@code data: [DONE]} at the end), each event flushed as it is written
 * unless the gateway says another follows at once (then they leave together).
 * The head is sent with the first event, so a failure before it is still an ordinary JSON error.
 * A write that fails because the client left throws IOException: the gateway then cancels the
 * provider's call.
 */
final class SseWriter implements ChatGateway.StreamWriter {

    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerResponse response;
    private boolean cached;
    private OutputStream out;

    SseWriter(ServerResponse response) {
        this.response = response;
    }

    @Override
    public void start(boolean cached) {
        this.cached = cached;
    }

    boolean started() {
        return out != null;
    }

    @Override
    public void chunk(byte[] json) throws IOException {
        write(json, true);
    }

    @Override
    public void chunkUnflushed(byte[] json) throws IOException {
        write(json, false);
    }

    @Override
    public void flush() throws IOException {
        if (out == null) {
            // Nothing written yet: the head goes out with the first event.
            return;
        }
        toClient(out::flush);
    }

    private void write(byte[] json, boolean flush) throws IOException {
        toClient(() -> {
            if (out == null) {
                response.status(Status.OK_200);
                response.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                response.header(HeaderNames.CACHE_CONTROL, "no-cache");
                // Proxies such as nginx would otherwise hold the events back until their buffer fills.
                response.header("X-Accel-Buffering", "no");
                response.header("X-Cache", cached ? "HIT" : "MISS");
                out = response.outputStream();
            }
            out.write(DATA);
            out.write(json);
            out.write(END);
            if (flush) {
                out.flush();
            }
        });
    }

    @Override
    public void done() throws IOException {
        toClient(() -> {
            out.write(DONE);
            out.flush();
        });
    }

    private interface Write {
        void run() throws IOException;
    }

    /** Runs a write to the client; Helidon reports a connection the client closed as its own unchecked exceptions. */
    private static void toClient(Write write) throws IOException {
        try {
            write.run();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (RuntimeException e) {
            throw new IOException("the client left: " + e.getClass().getSimpleName(), e);
        }
    }

    /** Ends a stream that already began with an error event in OpenAI's shape, as OpenAI does. */
    void error(ApiException e) {
        try {
            write(Json.bytes(OpenAiErrors.body(e)), true);
        } catch (IOException gone) {
            // The client left as well: nothing to tell it.
        }
    }

    /** Ends the response; quietly when the client is gone. */
    void close() {
        if (out == null) {
            return;
        }
        try {
            out.close();
        } catch (IOException | RuntimeException e) {
            // The client left: its connection is closed already.
        }
    }
}
