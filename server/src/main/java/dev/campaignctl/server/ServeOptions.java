package dev.campaignctl.server;

import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.db.DbConfig;
import dev.campaignctl.core.event.EventProcessor;
import java.nio.file.Path;

/**
 * Everything {@link Services} needs to start: where the data lives, where to listen, the API
 * credentials if given (null: use stored or generate), and how the processor runs.
 */
public record ServeOptions(
        DbConfig db,
        Path dataDir,
        String host,
        int domainPort,
        Credentials credentials,
        EventProcessor.Settings processor,
        boolean runProcessor) {
}
