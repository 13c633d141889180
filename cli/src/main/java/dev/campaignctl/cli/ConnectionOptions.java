package dev.campaignctl.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How a command reaches the domain: {@code --url} (or {@code DEMO_DOMAIN_URL}) for a remote service;
 * otherwise a {@code campaignctl serve} running on the same data directory; otherwise in-process on
 * the database itself (embedded mode).
 */
public final class ConnectionOptions {

    @Option(names = "--url", paramLabel = "URL",
            description = "Domain service URL, e.g. http://localhost:8000 (env DEMO_DOMAIN_URL).")
    String url;

    @Option(names = "--embedded",
            description = "Work in-process on the database even when a server is running elsewhere.")
    boolean embedded;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();
}
