package dev.campaignctl.core.api;

/**
 * What went wrong, independent of transport: the HTTP layer maps it to a status, the CLI to an exit
 * code, and the HTTP client maps a status back to it.
 */
public enum ErrorKind {
    VALIDATION(400, "validation_failed"),
    UNAUTHORIZED(401, "unauthorized"),
    FORBIDDEN(403, "forbidden"),
    NOT_FOUND(404, "not_found"),
    METHOD_NOT_ALLOWED(405, "method_not_allowed"),
    CONFLICT(409, "conflict"),
    PAYLOAD_TOO_LARGE(413, "payload_too_large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type"),
    UNPROCESSABLE(422, "unprocessable"),
    TOO_MANY_REQUESTS(429, "too_many_requests"),
    BAD_GATEWAY(502, "bad_gateway"),
    UNAVAILABLE(503, "unavailable"),
    GATEWAY_TIMEOUT(504, "gateway_timeout"),
    INTERNAL(500, "internal_error");

    private final int status;
    private final String code;

    ErrorKind(int status, String code) {
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    /** The machine-readable {@code error} field of an error body. */
    public String code() {
        return code;
    }

    public static ErrorKind fromStatus(int status) {
        for (ErrorKind kind : values()) {
            if (kind.status == status) {
                return kind;
            }
        }
        return status >= 500 ? UNAVAILABLE : VALIDATION;
    }
}
