package dev.campaignctl.core.ai;

import dev.campaignctl.core.api.ApiException;
import java.net.URI;
import java.time.Duration;

/** What the HTTP providers share: a key, a default model, one endpoint and the client that posts to it. */
abstract class HttpLlmProvider implements LlmProvider {

    final String apiKey;
    private final String model;
    final URI endpoint;
    final ProviderHttp http;

    HttpLlmProvider(String apiKey, String model, String baseUrl, String path, Duration timeout) {
        this.apiKey = apiKey;
        this.model = model;
        String baseVariable = keyVariable().replace("_API_KEY", "_BASE_URL");
        try {
            this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + path);
            this.http = new ProviderHttp(endpoint, timeout);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(baseVariable, "must be an http:// or https:// URL, got \"" + baseUrl + "\"");
        }
        if (apiKey != null && apiKey.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            // It goes into a request header, where a line break would end the header early.
            throw ApiException.invalid(keyVariable(), "holds a control character (a line break?)");
        }
    }

    @Override
    public boolean configured() {
        return apiKey != null && !apiKey.isBlank();
    }

    @Override
    public String defaultModel() {
        return model;
    }
}
