package dev.campaignctl.core.client;

import dev.campaignctl.core.ai.AiApi;
import dev.campaignctl.core.ai.AiGateway;
import dev.campaignctl.core.ai.GenerateRequest;
import dev.campaignctl.core.ai.GenerateResponse;
import dev.campaignctl.core.ai.ResponseCache;
import dev.campaignctl.core.http.Trust;
import java.net.URI;
import java.util.List;

/** The AI management service over HTTP ({@code AI_MANAGEMENT_URL}), with an optional bearer token. */
public final class HttpAiApi implements AiApi {

    private final HttpJson http;

    public HttpAiApi(URI baseUrl, String token) {
        this(baseUrl, token, Trust.JVM);
    }

    /** @param trust the CAs an https service's certificate must chain to */
    public HttpAiApi(URI baseUrl, String token, Trust trust) {
        this.http = new HttpJson(baseUrl, token == null ? null : "Bearer " + token, trust);
    }

    @Override
    public AiGateway.Health health() {
        return http.get("/health").as(AiGateway.Health.class);
    }

    @Override
    public List<AiGateway.ProviderInfo> providers() {
        return new HttpJson.Response(200, http.get("/providers").body().get("providers")).asList(AiGateway.ProviderInfo.class);
    }

    @Override
    public GenerateResponse generate(GenerateRequest request) {
        return http.send("POST", "/generate", request).as(GenerateResponse.class);
    }

    @Override
    public long clearCache() {
        return http.send("POST", "/cache/clear", null).body().path("removed").asLong();
    }

    @Override
    public ResponseCache.CacheHealth cacheHealth() {
        return http.get("/cache/health").as(ResponseCache.CacheHealth.class);
    }

    @Override
    public String endpoint() {
        return http.base().toString();
    }

    @Override
    public void close() {
        // Nothing held beyond the JDK client.
    }
}
