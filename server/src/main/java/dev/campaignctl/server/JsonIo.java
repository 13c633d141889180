package dev.campaignctl.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.json.Decimals;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.json.Utf8;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Request bodies in, JSON out. Bodies are size-capped while read (413), must be JSON (415), and
 * malformed JSON says where it broke (400).
 */
public final class JsonIo {

    /** Most bytes of a body read at once. */
    private static final int CHUNK = 64 * 1024;

    private JsonIo() {
    }

    private static final ObjectReader STRICT = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public static JsonNode read(ServerRequest request, int maxBytes) {
        requireType(request, "application/json");
        byte[] body = readCapped(request, maxBytes);
        if (body.length == 0) {
            throw ApiException.invalid(null, "request body is empty; expected a JSON object");
        }
        if (body.length >= 3 && (body[0] & 0xFF) == 0xEF && (body[1] & 0xFF) == 0xBB && (body[2] & 0xFF) == 0xBF) {
            // RFC 8259 says JSON text must not begin with one; refusing it keeps every reader of the body agreeing.
            throw ApiException.invalid(null, "malformed JSON: the body starts with a byte order mark");
        }
        try {
            // Whatever follows the first value is refused: "{} {}" is not one request.
            return STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            var location = e.getLocation();
            String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
            throw ApiException.invalid(null, "malformed JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The Content-Type, which must be one of {@code accepted}, compared without parameters such as
     * charset. A missing one is refused too: a web page can send a body without Content-Type (or
     * as text/plain) to a service on the user's machine without a CORS preflight, and reading such
     * a body as JSON would let any page drive the API.
     */
    public static String requireType(ServerRequest request, String... accepted) {
        Optional<String> header = request.headers().first(HeaderNames.CONTENT_TYPE);
        if (header.isEmpty()) {
            throw new ApiException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, null,
                    "Content-Type must be " + String.join(" or ", accepted) + " (the header is missing)");
        }
        int parameters = header.get().indexOf(';');
        String type = (parameters < 0 ? header.get() : header.get().substring(0, parameters)).trim().toLowerCase(Locale.ROOT);
        for (String candidate : accepted) {
            if (candidate.equals(type)) {
                return type;
            }
        }
        throw new ApiException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, null,
                "Content-Type must be " + String.join(" or ", accepted) + ", got " + Decimals.prefix(header.get()));
    }

    /**
     * The raw body, refused with 413 past {@code maxBytes} without reading further. The bytes are
     * reported to the read timeout as they arrive; a client that stops sending, or whose connection
     * the read timeout closed, is not answered (its connection is closed).
     */
    public static byte[] readCapped(ServerRequest request, int maxBytes) {
        if (!request.content().hasEntity()) {
            return new byte[0];
        }
        long declared = request.headers().contentLength().orElse(-1L);
        if (declared > maxBytes) {
            throw tooLarge(maxBytes);
        }
        byte[] body = new byte[(int) Math.min(declared >= 0 ? declared : CHUNK, maxBytes + 1L)];
        int length = 0;
        try (InputStream in = request.content().inputStream()) {
            while (true) {
                if (declared >= 0 && length == declared) {
                    // Helidon ends the entity at its Content-Length: no need to grow the buffer to learn that.
                    break;
                }
                if (length == body.length) {
                    if (length > maxBytes) {
                        throw tooLarge(maxBytes);
                    }
                    body = Arrays.copyOf(body, (int) Math.min(Math.max(2L * length, CHUNK), maxBytes + 1L));
                }
                int read = in.read(body, length, Math.min(body.length - length, CHUNK));
                if (read < 0) {
                    break;
                }
                length += read;
                ReadTimeout.progress(read);
            }
        } catch (IOException | UncheckedIOException | ServerConnectionException | DataReader.InsufficientDataAvailableException e) {
            throw new CloseConnectionException(ReadTimeout.timedOut()
                    ? "request body not received within the read timeout" : "request body not received: " + e.getMessage(), e);
        } catch (ApiException | RequestException e) {
            throw e;
        } catch (RuntimeException e) {
            // Helidon reads chunked framing lazily, as the body is read: a bad chunk size fails here.
            throw RequestException.builder()
                    .type(DirectHandler.EventType.BAD_REQUEST)
                    .status(Status.BAD_REQUEST_400)
                    .message("malformed request body: its chunked encoding is broken")
                    .cause(e)
                    .setKeepAlive(false)
                    .build();
        }
        ReadTimeout.received();
        if (length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        byte[] content = length == body.length ? body : Arrays.copyOf(body, length);
        Utf8.require(content, "the request body");
        return content;
    }

    private static ApiException tooLarge(int maxBytes) {
        return new ApiException(ErrorKind.PAYLOAD_TOO_LARGE, null, "request body exceeds " + maxBytes + " bytes");
    }

    public static void send(ServerResponse response, Status status, Object body) {
        send(response, status, Json.bytes(body));
    }

    /** A 200 with JSON that passes on what a client or a provider wrote: decimals as read ({@link Json#AS_READ}). */
    public static void okAsRead(ServerResponse response, Object body) {
        send(response, Status.OK_200, Json.bytesAsRead(body));
    }

    private static void send(ServerResponse response, Status status, byte[] json) {
        response.status(status);
        response.header(HeaderNames.CONTENT_TYPE, "application/json");
        response.send(json);
    }

    public static void ok(ServerResponse response, Object body) {
        send(response, Status.OK_200, body);
    }
}
