package dev.campaignctl.core.error;

import java.util.Map;

/**
 * A failure the caller can act on: bad input (naming the field), a missing resource, a conflict, or
 * an unreachable service. Thrown by every {@code DomainApi} implementation alike.
 */
public final class ApiException extends RuntimeException {

    private final ErrorKind kind;
    private final String field;
    private final String code;
    private final Map<String, Object> details;

    public ApiException(ErrorKind kind, String field, String message) {
        this(kind, field, message, (Throwable) null);
    }

    public ApiException(ErrorKind kind, String field, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.field = field;
        this.code = kind.code();
        this.details = Map.of();
    }

    /**
     * A failure with its own machine-readable {@code error} code and extra body fields, e.g.
     * {@code insufficient_points} with {@code available}.
     */
    public ApiException(ErrorKind kind, String code, String message, Map<String, Object> details) {
        super(message);
        this.kind = kind;
        this.field = null;
        this.code = code;
        this.details = Map.copyOf(details);
    }

    /** The {@code error} field of the body: the kind's code unless this failure has its own. */
    public String code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    public static ApiException invalid(String field, String message) {
        return new ApiException(ErrorKind.VALIDATION, field, message);
    }

    public static ApiException notFound(String what, long id) {
        return new ApiException(ErrorKind.NOT_FOUND, null, what + " " + id + " not found");
    }

    public static ApiException conflict(String field, String message) {
        return new ApiException(ErrorKind.CONFLICT, field, message);
    }

    public ErrorKind kind() {
        return kind;
    }

    /** The offending input field, in the wire's snake_case, or null when no single field is at fault. */
    public String field() {
        return field;
    }

    /** The one-line form the CLI prints: the field first when there is one. */
    public String oneLine() {
        return field == null ? getMessage() : field + ": " + getMessage();
    }
}
