package dev.campaignctl.core.ai;

import java.util.List;

/** The AI gateway in this process. */
public final class LocalAiApi implements AiApi {

    private final AiGateway gateway;
    private final boolean owns;

    public LocalAiApi(AiGateway gateway, boolean owns) {
        this.gateway = gateway;
        this.owns = owns;
    }

    public AiGateway gateway() {
        return gateway;
    }

    @Override
    public AiGateway.Health health() {
        return gateway.health();
    }

    @Override
    public List<AiGateway.ProviderInfo> providers() {
        return gateway.providers();
    }

    @Override
    public GenerateResponse generate(GenerateRequest request) {
        return gateway.generate(request);
    }

    @Override
    public long clearCache() {
        return gateway.clearCache();
    }

    @Override
    public ResponseCache.CacheHealth cacheHealth() {
        return gateway.cacheHealth();
    }

    @Override
    public String endpoint() {
        return "in-process";
    }

    @Override
    public void close() {
        if (owns) {
            gateway.close();
        }
    }
}
