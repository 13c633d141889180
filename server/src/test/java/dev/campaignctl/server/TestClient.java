package dev.campaignctl.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.client.HttpJson;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** Raw HTTP for tests: any method, body bytes and headers, so malformed requests can be sent too. */
final class TestClient {

    record Reply(int status, JsonNode body, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    private final HttpClient client = HttpClient.newHttpClient();
    private final String base;
    private final String authorization;

    TestClient(int port, String user, String password) {
        this("http://127.0.0.1:" + port, user == null ? null : HttpJson.basic(user, password));
    }

    private TestClient(String base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    /** The same server with other credentials (null user: none). */
    TestClient as(String user, String password) {
        return new TestClient(base, user == null ? null : HttpJson.basic(user, password));
    }

    /** The same server with a raw Authorization header. */
    TestClient withAuthorization(String header) {
        return new TestClient(base, header);
    }

    Reply get(String path) {
        return send("GET", path, null, null);
    }

    Reply post(String path, String json) {
        return send("POST", path, json, "application/json");
    }

    Reply patch(String path, String json) {
        return send("PATCH", path, json, "application/json");
    }

    Reply send(String method, String path, String body, String contentType) {
        return send(method, path, body, contentType, Map.of());
    }

    Reply send(String method, String path, String body, String contentType, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (body != null && body.length() > 1_000_000) {
            // A body past a limit is answered 413 and the connection closed while the client may still be sending;
            // asking first (100-continue) lets the client read that answer instead of a reset.
            request.expectContinue(true);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = response.body().isEmpty() || !response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")
                    ? null : Json.tree(response.body());
            return new Reply(response.statusCode(), json, response);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
