package dev.campaignctl.core.error;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * The JSON body of every error response: {@code {"error": "validation_failed", "message": "...", "field": "amount"}},
 * with the few extra fields some errors carry ({@code "available"} of {@code insufficient_points}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorBody(String error, String message, String field, @JsonIgnore Map<String, Object> details) {

    public ErrorBody(String error, String message, String field) {
        this(error, message, field, Map.of());
    }

    public static ErrorBody of(ApiException e) {
        return new ErrorBody(e.code(), e.getMessage(), e.field(), e.details());
    }

    @JsonAnyGetter
    Map<String, Object> extra() {
        return details == null ? Map.of() : details;
    }
}
