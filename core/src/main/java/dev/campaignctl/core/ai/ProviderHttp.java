package dev.campaignctl.core.ai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.http.HttpEndpoint;
import dev.campaignctl.core.http.Trust;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The HTTP exchange both providers share: post JSON to the provider's endpoint over
 * {@link HttpEndpoint}, map failures to {@link ProviderException}.
 */
final class ProviderHttp {

    private final String provider;
    private final HttpEndpoint client;
    private final Duration timeout;
    private final String host;

    /** @param headers what every call sends besides the JSON headers (the key), as name, value pairs */
    ProviderHttp(String provider, URI endpoint, Duration timeout, List<String> headers) {
        this.provider = provider;
        this.client = new HttpEndpoint(endpoint, Trust.JVM, headers);
        this.timeout = timeout;
        this.host = endpoint.getHost();
    }

    JsonNode post(Object body) {
        HttpEndpoint.Response response;
        try {
            response = client.send("POST", "", body, List.of(), timeout);
        } catch (IOException e) {
            throw unreachable(e);
        }
        JsonNode json = parse(response.body());
        int status = response.status();
        if (status < 200 || status >= 300) {
            throw refused(status, json, response.header("retry-after"));
        }
        return json;
    }

    /**
     * Posts and returns once the answer's head is in, its body (Server-Sent Events) to be read as
     * it arrives; an error answer is read whole (at most 64 KiB) and thrown as for {@link #post}.
     */
    HttpEndpoint.Streamed stream(Object body) {
        HttpEndpoint.Streamed answer;
        try {
            answer = client.stream("POST", "", body, List.of("Accept", "text/event-stream"), timeout);
        } catch (IOException e) {
            throw unreachable(e);
        }
        int status = answer.status();
        if (status >= 200 && status < 300) {
            return answer;
        }
        try (answer) {
            byte[] error = answer.body().readNBytes(64 * 1024);
            throw refused(status, parse(error), answer.header("retry-after"));
        } catch (IOException e) {
            throw new ProviderException(provider, status, provider + " answered " + status, null, false);
        }
    }

    private ProviderException refused(int status, JsonNode json, String retryAfter) {
        return new ProviderException(provider, status, provider + " answered " + status + ": " + errorMessage(json),
                retryAfter(retryAfter), false);
    }

    private ProviderException unreachable(IOException failure) {
        if (failure instanceof HttpEndpoint.DeadlineExceededException) {
            return new ProviderException(provider, 0, provider + " did not answer within " + seconds(timeout), null, true);
        }
        if (failure instanceof HttpEndpoint.TooLargeException e) {
            return new ProviderException(provider, 0, provider + " sent an answer too large to read: " + e.getMessage(), null, false);
        }
        if (failure instanceof HttpEndpoint.RedirectException e) {
            // Not followed: the key would go along to wherever it points.
            return new ProviderException(provider, e.status(), provider + " answered " + e.getMessage()
                    + "; set its base URL to the address it points to", null, false);
        }
        if (failure instanceof HttpEndpoint.TlsException e) {
            return new ProviderException(provider, 0, "cannot reach " + provider + " at " + host + ": " + e.getMessage(), null, false);
        }
        return new ProviderException(provider, 0, "cannot reach " + provider + " at " + host + ": "
                + failure.getClass().getSimpleName(), null, false);
    }

    private static String seconds(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }

    private static JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return Json.MAPPER.nullNode();
        }
    }

    /** Longest provider message relayed: enough for any real reason, short whatever a provider sends. */
    static final int MAX_MESSAGE = 500;

    /**
     * Both APIs put the reason in {@code error.message}; the raw body could echo a key, so nothing
     * else is used, and at most {@link #MAX_MESSAGE} characters of it.
     */
    static String errorMessage(JsonNode json) {
        JsonNode message = json.path("error").path("message");
        if (!message.isTextual()) {
            return "no error message";
        }
        String text = message.textValue();
        return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + "... (" + text.length() + " characters)";
    }

    static Duration retryAfter(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofMillis((long) (Double.parseDouble(value.trim()) * 1000));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
