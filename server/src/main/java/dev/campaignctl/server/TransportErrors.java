package dev.campaignctl.server;

import dev.campaignctl.core.client.HttpStatuses;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorBody;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.json.Json;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * The answers Helidon gives before any route runs — a malformed request line or header, a URI or
 * header section too long, a declared body over the server's largest, too many requests at once —
 * as JSON error bodies like every other error, instead of Helidon's plain text.
 */
final class TransportErrors implements DirectHandler {

    /** Whatever the HTTP layer refuses to serve now but may serve soon. */
    private static final String RETRY_AFTER_SECONDS = "1";

    static DirectHandlers handlers() {
        TransportErrors handler = new TransportErrors();
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (EventType type : EventType.values()) {
            builder.addHandler(type, handler);
        }
        return builder.build();
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        boolean internal = status.code() >= 500 && status.code() != Status.SERVICE_UNAVAILABLE_503.code();
        String text = internal ? "internal error; see the server log" : message(status, message);
        // The OpenAI-compatible routes answer every error in OpenAI's shape, these included.
        String path = request.path();
        byte[] entity = path != null && OpenAiErrors.applies(path)
                ? Json.bytes(OpenAiErrors.body(new ApiException(HttpStatuses.kind(status.code()), null, text)))
                : Json.bytes(new ErrorBody(code(status), text, null));
        TransportResponse.Builder response = TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .entity(entity);
        if (status.code() == Status.SERVICE_UNAVAILABLE_503.code()) {
            response.header(HeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return response.build();
    }

    private static String code(Status status) {
        ErrorKind kind = HttpStatuses.exactly(status.code());
        if (kind != null) {
            return kind.code();
        }
        return status.code() >= 500 ? ErrorKind.INTERNAL.code() : "bad_request";
    }

    private static String message(Status status, String message) {
        if (status.code() == Status.SERVICE_UNAVAILABLE_503.code()) {
            return "too many requests in progress; retry shortly";
        }
        return message == null || message.isBlank() ? status.reasonPhrase() : message;
    }
}
