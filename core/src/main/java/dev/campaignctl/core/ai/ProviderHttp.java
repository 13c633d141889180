package dev.campaignctl.core.ai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** The HTTP exchange both providers share: post JSON, map failures to {@link ProviderException}. */
final class ProviderHttp {

    private final HttpClient client;
    private final Duration timeout;

    ProviderHttp(Duration timeout) {
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.timeout = timeout;
    }

    JsonNode post(String provider, URI uri, Object body, String... headers) {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .headers(headers)
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new ProviderException(provider, 0, provider + " did not answer within " + timeout.toSeconds() + " s", null, true);
        } catch (IOException e) {
            throw new ProviderException(provider, 0, "cannot reach " + provider + " at " + uri.getHost() + ": "
                    + e.getClass().getSimpleName(), null, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(provider, 0, "interrupted while calling " + provider, null, false);
        }
        JsonNode json = parse(response.body());
        if (response.statusCode() >= 400) {
            Duration retryAfter = response.headers().firstValue("retry-after").map(ProviderHttp::retryAfter).orElse(null);
            throw new ProviderException(provider, response.statusCode(), provider + " answered " + response.statusCode()
                    + ": " + errorMessage(json), retryAfter, false);
        }
        return json;
    }

    private static JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return Json.MAPPER.nullNode();
        }
    }

    /** Both APIs put the reason in {@code error.message}; the raw body could echo a key, so nothing else is used. */
    private static String errorMessage(JsonNode json) {
        JsonNode message = json.path("error").path("message");
        return message.isTextual() ? message.textValue() : "no error message";
    }

    static Duration retryAfter(String value) {
        try {
            return Duration.ofMillis((long) (Double.parseDouble(value.trim()) * 1000));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
