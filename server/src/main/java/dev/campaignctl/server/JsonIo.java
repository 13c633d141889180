package dev.campaignctl.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.api.ErrorKind;
import dev.campaignctl.core.json.Decimals;
import dev.campaignctl.core.json.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Request bodies in, JSON out. Bodies are size-capped while read (413), must be JSON (415), and
 * malformed JSON says where it broke (400).
 */
public final class JsonIo {

    /** Default cap on a request body; batch endpoints pass their own. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;

    private JsonIo() {
    }

    public static JsonNode read(ServerRequest request) {
        return read(request, MAX_BODY_BYTES);
    }

    public static JsonNode read(ServerRequest request, int maxBytes) {
        requireType(request, "application/json");
        byte[] body = readCapped(request, maxBytes);
        if (body.length == 0) {
            throw ApiException.invalid(null, "request body is empty; expected a JSON object");
        }
        try {
            return Json.MAPPER.readTree(body);
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
        String type = header.get().split(";")[0].trim().toLowerCase();
        for (String candidate : accepted) {
            if (candidate.equals(type)) {
                return type;
            }
        }
        throw new ApiException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, null,
                "Content-Type must be " + String.join(" or ", accepted) + ", got " + Decimals.prefix(header.get()));
    }

    /** The raw body, refused with 413 past {@code maxBytes} without reading further. */
    public static byte[] readCapped(ServerRequest request, int maxBytes) {
        if (!request.content().hasEntity()) {
            return new byte[0];
        }
        request.headers().contentLength().ifPresent(length -> {
            if (length > maxBytes) {
                throw tooLarge(maxBytes);
            }
        });
        try (InputStream in = request.content().inputStream()) {
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                throw tooLarge(maxBytes);
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ApiException tooLarge(int maxBytes) {
        return new ApiException(ErrorKind.PAYLOAD_TOO_LARGE, null, "request body exceeds " + maxBytes + " bytes");
    }

    public static void send(ServerResponse response, Status status, Object body) {
        response.status(status);
        response.header(HeaderNames.CONTENT_TYPE, "application/json");
        response.send(Json.bytes(body));
    }

    public static void ok(ServerResponse response, Object body) {
        send(response, Status.OK_200, body);
    }
}
