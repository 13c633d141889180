package dev.campaignctl.core.client;

import dev.campaignctl.core.error.ErrorKind;

/**
 * The HTTP meaning of each {@link ErrorKind}, in one table for both directions: the servers answer
 * a kind with its status, and the HTTP clients turn a status they receive back into a kind.
 */
public final class HttpStatuses {

    private HttpStatuses() {
    }

    public static int of(ErrorKind kind) {
        return switch (kind) {
            case VALIDATION -> 400;
            case UNAUTHORIZED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            case CONFLICT -> 409;
            case PAYLOAD_TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case UNPROCESSABLE -> 422;
            case TOO_MANY_REQUESTS -> 429;
            case INTERNAL -> 500;
            case BAD_GATEWAY -> 502;
            case UNAVAILABLE -> 503;
            case GATEWAY_TIMEOUT -> 504;
        };
    }

    /** The kind whose status this is, or null when no kind has it. */
    public static ErrorKind exactly(int status) {
        for (ErrorKind kind : ErrorKind.values()) {
            if (of(kind) == status) {
                return kind;
            }
        }
        return null;
    }

    /** The kind of a status received: its own, or the nearest by class (5xx unavailable, else validation). */
    public static ErrorKind kind(int status) {
        ErrorKind kind = exactly(status);
        if (kind != null) {
            return kind;
        }
        return status >= 500 ? ErrorKind.UNAVAILABLE : ErrorKind.VALIDATION;
    }
}
