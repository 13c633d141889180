package dev.campaignctl.core.ai;

import java.util.List;

/**
 * The AI management service's operations, in this process ({@link LocalAiApi}) or over HTTP
 * ({@code client.HttpAiApi}, the reference's {@code AIManagementClient}).
 */
public interface AiApi extends AutoCloseable {

    AiGateway.Health health();

    List<AiGateway.ProviderInfo> providers();

    GenerateResponse generate(GenerateRequest request);

    /** Removes every cached answer; returns how many were removed. */
    long clearCache();

    ResponseCache.CacheHealth cacheHealth();

    String endpoint();

    @Override
    void close();
}
