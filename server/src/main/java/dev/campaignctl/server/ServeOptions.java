package dev.campaignctl.server;

import dev.campaignctl.core.ai.AiConfig;
import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.db.DbConfig;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.http.Trust;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything {@link Services} needs to start: where the data lives, where to listen (and the TLS
 * certificate, if any), the API credentials if given (null: use stored or generate), how the
 * processor runs, and the AI gateway's settings and optional bearer token; for the agents service
 * alone, where the others are and which CAs their certificates must chain to; the limits every
 * server applies and those of the agents' runs.
 */
public record ServeOptions(
        DbConfig db,
        Path dataDir,
        String host,
        int domainPort,
        Credentials credentials,
        EventProcessor.Settings processor,
        boolean runProcessor,
        int aiPort,
        AiConfig ai,
        String aiToken,
        int agentsPort,
        String domainUrl,
        String aiUrl,
        ServerLimits limits,
        AgentRuns.Settings agentRuns,
        ServerTls tls,
        Trust trust) {

    /** Default limits, plain HTTP, and the JVM's CAs for the services the agents reach. */
    public ServeOptions(DbConfig db, Path dataDir, String host, int domainPort, Credentials credentials,
                        EventProcessor.Settings processor, boolean runProcessor, int aiPort, AiConfig ai, String aiToken,
                        int agentsPort, String domainUrl, String aiUrl) {
        this(db, dataDir, host, domainPort, credentials, processor, runProcessor, aiPort, ai, aiToken, agentsPort, domainUrl,
                aiUrl, ServerLimits.DEFAULTS, AgentRuns.Settings.DEFAULTS, null, Trust.JVM);
    }

    /** Options for the domain service alone, with the AI settings taken from no environment at all. */
    public ServeOptions(DbConfig db, Path dataDir, String host, int domainPort, Credentials credentials,
                        EventProcessor.Settings processor, boolean runProcessor) {
        this(db, dataDir, host, domainPort, credentials, processor, runProcessor, AiServer.DEFAULT_PORT,
                AiConfig.fromEnv(Map.of()), null, AgentsServer.DEFAULT_PORT, null, null);
    }
}
