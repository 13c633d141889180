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
        } catch (HttpEndpoint.DeadlineExceededException e) {
            throw new ProviderException(provider, 0, provider + " did not answer within " + seconds(timeout), null, true);
        } catch (HttpEndpoint.TooLargeException e) {
            throw new ProviderException(provider, 0, provider + " sent an answer too large to read: " + e.getMessage(), null, false);
        } catch (HttpEndpoint.RedirectException e) {
            // Not followed: the key would go along to wherever it points.
            throw new ProviderException(provider, e.status(), provider + " answered " + e.getMessage()
                    + "; set its base URL to the address it points to", null, false);
        } catch (HttpEndpoint.TlsException e) {
            throw new ProviderException(provider, 0, "cannot reach " + provider + " at " + host + ": " + e.getMessage(), null, false);
        } catch (IOException e) {
            throw new ProviderException(provider, 0, "cannot reach " + provider + " at " + host + ": "
                    + e.getClass().getSimpleName(), null, false);
        }
        JsonNode json = parse(response.body());
        int status = response.status();
        if (status < 200 || status >= 300) {
            throw new ProviderException(provider, status, provider + " answered " + status + ": " + errorMessage(json),
                    retryAfter(response.header("retry-after")), false);
        }
        return json;
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

    /** Both APIs put the reason in {@code error.message}; the raw body could echo a key, so nothing else is used. */
    private static String errorMessage(JsonNode json) {
        JsonNode message = json.path("error").path("message");
        return message.isTextual() ? message.textValue() : "no error message";
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
