package dev.campaignctl.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The JSON body of every error response: {@code {"error": "validation_failed", "message": "...", "field": "amount"}}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorBody(String error, String message, String field) {

    public static ErrorBody of(ApiException e) {
        return new ErrorBody(e.kind().code(), e.getMessage(), e.field());
    }
}
