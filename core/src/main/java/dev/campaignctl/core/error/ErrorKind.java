package dev.campaignctl.core.error;

/**
 * What went wrong, independent of transport: the server maps it to an HTTP status and the HTTP
 * client maps a status back to it (both through {@code client.HttpStatuses}), the CLI to an exit
 * code.
 */
public enum ErrorKind {
    VALIDATION("validation_failed"),
    UNAUTHORIZED("unauthorized"),
    FORBIDDEN("forbidden"),
    NOT_FOUND("not_found"),
    METHOD_NOT_ALLOWED("method_not_allowed"),
    CONFLICT("conflict"),
    PAYLOAD_TOO_LARGE("payload_too_large"),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type"),
    UNPROCESSABLE("unprocessable"),
    TOO_MANY_REQUESTS("too_many_requests"),
    BAD_GATEWAY("bad_gateway"),
    UNAVAILABLE("unavailable"),
    GATEWAY_TIMEOUT("gateway_timeout"),
    INTERNAL("internal_error");

    private final String code;

    ErrorKind(String code) {
        this.code = code;
    }

    /** The machine-readable {@code error} field of an error body. */
    public String code() {
        return code;
    }
}
