package dev.campaignctl.core.ai;

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
        this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + path);
        this.http = new ProviderHttp(timeout);
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
