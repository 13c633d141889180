package dev.campaignctl.core.ai;

import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.http.HttpEndpoint;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** What the HTTP providers share: a key, a default model, and the client that posts to their endpoint. */
abstract class HttpLlmProvider implements LlmProvider {

    private final String apiKey;
    private final String model;
    final ProviderHttp http;

    HttpLlmProvider(String apiKey, String model, String baseUrl, String path, Duration timeout) {
        this.apiKey = apiKey;
        this.model = model;
        if (apiKey != null && apiKey.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            // It goes into a request header, where a line break would end the header early.
            throw ApiException.invalid(keyVariable(), "holds a control character (a line break?)");
        }
        URI endpoint;
        try {
            endpoint = URI.create(baseUrl.replaceAll("/+$", "") + path);
            this.http = new ProviderHttp(displayName(), endpoint, timeout, authHeaders(apiKey == null ? "" : apiKey));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(keyVariable().replace("_API_KEY", "_BASE_URL"),
                    "must be an http:// or https:// URL, got \"" + baseUrl + "\"");
        }
    }

    /**
     * Reads what is left of a stream after its last event (the end of its chunked body), so the
     * connection goes back to the pool whole rather than closed half-read — a connection closed
     * that way was seen handed to the next request and failing it.
     */
    static void drain(HttpEndpoint.Streamed answer) throws IOException {
        answer.body().skip(64 * 1024);
    }

    /** The request headers that carry the key (and anything else every call sends), as name, value pairs. */
    abstract List<String> authHeaders(String apiKey);

    @Override
    public boolean configured() {
        return apiKey != null && !apiKey.isBlank();
    }

    @Override
    public String defaultModel() {
        return model;
    }
}
