package dev.campaignctl.server;

import dev.campaignctl.core.ai.AiGateway;
import dev.campaignctl.core.ai.LocalAiApi;
import dev.campaignctl.core.api.LocalDomainApi;
import dev.campaignctl.core.config.Authenticator;
import dev.campaignctl.core.config.ConfigurationStore;
import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.config.CredentialsFile;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.event.EventProcessor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Starts the services of one process — the domain service with its database and processor, the AI
 * management service with its gateway — and stops them in reverse order.
 *
 * <pre>{@code
 * try (Services services = Services.start(options, EnumSet.allOf(Services.Kind.class), err)) { ... }
 * }</pre>
 */
public final class Services implements AutoCloseable {

    /** The services one process can run. */
    public enum Kind { DOMAIN, AI }

    private final List<AutoCloseable> started = new ArrayList<>();
    private Database database;
    private EventProcessor processor;
    private LocalDomainApi api;
    private DomainServer domain;
    private LocalAiApi ai;
    private AiServer aiServer;
    private ServerState state;

    private Services() {
    }

    public static Services startDomain(ServeOptions options, PrintWriter err) {
        return start(options, EnumSet.of(Kind.DOMAIN), err);
    }

    public static Services start(ServeOptions options, Set<Kind> kinds, PrintWriter err) {
        Services services = new Services();
        try {
            if (kinds.contains(Kind.DOMAIN)) {
                services.startDomainService(options, err);
            }
            if (kinds.contains(Kind.AI)) {
                services.startAiService(options);
            }
            services.state = new ServerState(options.dataDir());
            services.state.write(services.domain == null ? null : "http://127.0.0.1:" + services.domain.port(),
                    services.aiServer == null ? null : "http://127.0.0.1:" + services.aiServer.port(),
                    services.database != null && services.database.isEmbedded() ? services.database.url() : null);
            return services;
        } catch (RuntimeException e) {
            services.close();
            throw e;
        }
    }

    private void startDomainService(ServeOptions options, PrintWriter err) {
        database = Database.open(options.db());
        started.add(database);
        Credentials credentials = resolveCredentials(options, database, err);
        Authenticator authenticator = new ConfigurationStore(database.dataSource()).authenticator(credentials);
        processor = new EventProcessor(database, options.processor());
        started.add(processor);
        if (options.runProcessor()) {
            processor.start();
        }
        api = new LocalDomainApi(database, processor, false);
        domain = DomainServer.start(options.host(), options.domainPort(), api, authenticator);
        started.add(domain);
    }

    private void startAiService(ServeOptions options) {
        ai = new LocalAiApi(AiGateway.fromConfig(options.ai()), true);
        started.add(ai);
        aiServer = AiServer.start(options.host(), options.aiPort(), ai, options.aiToken());
        started.add(aiServer);
    }

    /**
     * Given credentials win; else the data directory's credentials file; else, on a database that
     * already holds a password hash, that hash (null here); else new credentials, generated and saved.
     */
    private static Credentials resolveCredentials(ServeOptions options, Database database, PrintWriter err) {
        if (options.credentials() != null) {
            return options.credentials();
        }
        CredentialsFile file = new CredentialsFile(options.dataDir());
        var stored = file.read();
        if (stored.isPresent()) {
            err.println("API credentials: user " + stored.get().username() + ", password in " + file.path());
            return stored.get();
        }
        ConfigurationStore configuration = new ConfigurationStore(database.dataSource());
        if (configuration.get(ConfigurationStore.API_PASSWORD_HASH).isPresent()) {
            err.println("API credentials: as stored in the database's configuration table");
            return null;
        }
        Credentials created = file.readOrCreate(Credentials.DEFAULT_USERNAME);
        err.println("API credentials generated: user " + created.username() + ", password in " + file.path()
                + " (owner-only); the CLI reads it from there");
        return created;
    }

    public int domainPort() {
        return domain.port();
    }

    public int aiPort() {
        return aiServer.port();
    }

    public LocalDomainApi api() {
        return api;
    }

    public LocalAiApi ai() {
        return ai;
    }

    public EventProcessor processor() {
        return processor;
    }

    @Override
    public void close() {
        if (state != null) {
            state.delete();
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                // Keep stopping the rest; a failed close must not leave the database running.
            }
        }
        started.clear();
    }
}
