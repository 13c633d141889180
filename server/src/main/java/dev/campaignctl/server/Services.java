package dev.campaignctl.server;

import dev.campaignctl.core.api.LocalDomainApi;
import dev.campaignctl.core.config.Authenticator;
import dev.campaignctl.core.config.ConfigurationStore;
import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.config.CredentialsFile;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.event.EventProcessor;
import java.io.PrintWriter;

/**
 * Starts the services of one process: the database, the event processor and the domain HTTP
 * service (the AI and agents services join here as they are built), and stops them in reverse order.
 *
 * <pre>{@code
 * try (Services services = Services.startDomain(options, err)) {
 *     services.awaitShutdown();
 * }
 * }</pre>
 */
public final class Services implements AutoCloseable {

    private final Database database;
    private final EventProcessor processor;
    private final LocalDomainApi api;
    private final DomainServer domain;
    private final ServerState state;

    private Services(Database database, EventProcessor processor, LocalDomainApi api, DomainServer domain,
                     ServerState state) {
        this.database = database;
        this.processor = processor;
        this.api = api;
        this.domain = domain;
        this.state = state;
    }

    public static Services startDomain(ServeOptions options, PrintWriter err) {
        Database database = Database.open(options.db());
        EventProcessor processor = null;
        try {
            Credentials credentials = resolveCredentials(options, database, err);
            Authenticator authenticator = new ConfigurationStore(database.dataSource()).authenticator(credentials);
            processor = new EventProcessor(database, options.processor());
            if (options.runProcessor()) {
                processor.start();
            }
            LocalDomainApi api = new LocalDomainApi(database, processor, false);
            DomainServer domain = DomainServer.start(options.host(), options.domainPort(), api, authenticator);
            ServerState state = new ServerState(options.dataDir());
            state.write("http://127.0.0.1:" + domain.port(), database.isEmbedded() ? database.url() : null);
            return new Services(database, processor, api, domain, state);
        } catch (RuntimeException e) {
            if (processor != null) {
                processor.close();
            }
            database.close();
            throw e;
        }
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

    public LocalDomainApi api() {
        return api;
    }

    public EventProcessor processor() {
        return processor;
    }

    /** Blocks until the JVM is asked to stop (SIGTERM, Ctrl-C). */
    public void awaitShutdown() throws InterruptedException {
        Thread.currentThread().join();
    }

    @Override
    public void close() {
        state.delete();
        domain.close();
        processor.close();
        database.close();
    }
}
