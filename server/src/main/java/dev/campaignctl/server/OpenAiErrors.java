package dev.campaignctl.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.client.HttpStatuses;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.json.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * Errors of the OpenAI-compatible routes ({@code /v1/...}) in OpenAI's shape, so its SDKs raise
 * their usual exceptions: {@code {"error": {"message", "type", "param", "code"}}}.
 */
public final class OpenAiErrors {

    static final String PREFIX = "/v1/";

    private OpenAiErrors() {
    }

    static boolean applies(String path) {
        return path.startsWith(PREFIX);
    }

    public static ObjectNode body(ApiException e) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode error = body.putObject("error");
        // SDKs show the message alone: it names the field, as OpenAI's own do.
        error.put("message", e.field() != null && !e.getMessage().contains(e.field()) ? e.field() + ": " + e.getMessage() : e.getMessage());
        error.put("type", type(e));
        Object param = e.field() != null ? e.field() : e.details().get("param");
        if (param == null) {
            error.putNull("param");
        } else {
            error.put("param", param.toString());
        }
        String code = e.kind() == ErrorKind.UNAUTHORIZED ? "invalid_api_key" : e.code();
        error.put("code", code);
        e.details().forEach((name, value) -> {
            if (!name.equals("param")) {
                error.putPOJO(name, value);
            }
        });
        return body;
    }

    private static String type(ApiException e) {
        return switch (e.kind()) {
            case UNAUTHORIZED -> "authentication_error";
            case FORBIDDEN -> "permission_error";
            case TOO_MANY_REQUESTS -> e.code().startsWith("budget_") ? "insufficient_quota" : "rate_limit_error";
            case INTERNAL -> "server_error";
            case BAD_GATEWAY, UNAVAILABLE, GATEWAY_TIMEOUT -> "api_error";
            default -> "invalid_request_error";
        };
    }

    static void send(ServerResponse response, ApiException e) {
        if (e.kind() == ErrorKind.UNAVAILABLE && !response.headers().contains(HeaderNames.RETRY_AFTER)) {
            response.header(HeaderNames.RETRY_AFTER, "1");
        }
        response.status(Status.create(HttpStatuses.of(e.kind())));
        response.header(HeaderNames.CONTENT_TYPE, "application/json");
        response.send(Json.bytes(body(e)));
    }
}
