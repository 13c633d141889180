package dev.campaignctl.server;

import dev.campaignctl.core.ai.AiApi;
import dev.campaignctl.core.ai.AiGateway;
import dev.campaignctl.core.ai.ChatGateway;
import dev.campaignctl.core.ai.LocalAiApi;
import dev.campaignctl.core.ai.RateLimiter;
import dev.campaignctl.core.ai.keys.KeyStore;
import dev.campaignctl.core.api.DomainApi;
import dev.campaignctl.core.api.LocalDomainApi;
import dev.campaignctl.core.client.HttpAiApi;
import dev.campaignctl.core.client.HttpDomainApi;
import dev.campaignctl.core.config.Authenticator;
import dev.campaignctl.core.config.ConfigurationStore;
import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.config.CredentialsFile;
import dev.campaignctl.core.config.PasswordHash;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.idempotency.KeyPurger;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
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
    public enum Kind { DOMAIN, AI, AGENTS }

    /** How often the domain service deletes Idempotency-Keys past their retention. */
    private static final Duration KEY_PURGE_INTERVAL = Duration.ofHours(1);

    private final List<AutoCloseable> started = new ArrayList<>();
    private Database database;
    private EventProcessor processor;
    private LocalDomainApi api;
    private DomainServer domain;
    private LocalAiApi ai;
    private AiServer aiServer;
    private AgentsServer agentsServer;
    private Authenticator authenticator;
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
            if (kinds.contains(Kind.AGENTS)) {
                services.startAgentsService(options);
            }
            services.state = new ServerState(options.dataDir());
            services.state.write(services.domain == null ? null : localUrl(options, services.domain.port()),
                    services.aiServer == null ? null : localUrl(options, services.aiServer.port()),
                    services.agentsServer == null ? null : localUrl(options, services.agentsServer.port()),
                    services.database != null && services.database.isEmbedded() ? services.database.url() : null);
            return services;
        } catch (RuntimeException e) {
            services.close();
            throw e;
        }
    }

    /**
     * Where a CLI on this machine reaches a service: loopback, whatever the interface, and https when
     * serving TLS (so the certificate has to name 127.0.0.1 for the CLI to find it by the data directory).
     */
    public static String localUrl(ServeOptions options, int port) {
        return (options.tls() == null ? "http" : "https") + "://127.0.0.1:" + port;
    }

    private void startDomainService(ServeOptions options, PrintWriter err) {
        database = Database.open(options.db());
        started.add(database);
        Credentials credentials = resolveCredentials(options, database, err);
        authenticator = new ConfigurationStore(database.db()).authenticator(credentials);
        processor = new EventProcessor(database, options.processor());
        started.add(processor);
        if (options.runProcessor()) {
            processor.start();
        }
        started.add(KeyPurger.start(database.dataSource(), KEY_PURGE_INTERVAL));
        api = new LocalDomainApi(database, processor, false);
        started.add(api);
        if (options.runProcessor()) {
            started.add(PointsExpiry.start(api));
        }
        DomainGauges.register(database);
        domain = DomainServer.start(options.host(), options.domainPort(), options.limits(), options.tls(), api, authenticator);
        started.add(domain);
    }

    /**
     * The AI service, with virtual keys on the domain's database when this process runs it, else
     * on {@code --db-url}; {@code serve ai} alone on the embedded default has no keys (starting a
     * second embedded PostgreSQL beside a domain service's would fight over its data directory).
     */
    private void startAiService(ServeOptions options) {
        ai = new LocalAiApi(AiGateway.fromConfig(options.ai()), true);
        started.add(ai);
        Database keysDb = database;
        if (keysDb == null && !options.db().isEmbedded()) {
            keysDb = Database.open(options.db());
            started.add(keysDb);
        }
        KeyStore keys = keysDb == null ? null : new KeyStore(keysDb.dataSource(), keysDb.separatePool("ai-settle", 4));
        if (keys != null) {
            started.add(ReservationSweeper.start(keys));
        }
        RateLimiter limiter = new RateLimiter(options.ai().redisUrl());
        started.add(limiter);
        ChatGateway chat = ChatGateway.of(ai.gateway(), options.ai(), keys, limiter);
        started.add(chat);
        aiServer = AiServer.start(options.host(), options.aiPort(), options.limits(), options.tls(), ai, chat, options.aiToken());
        started.add(aiServer);
    }

    /**
     * In one process with the domain (and AI) service the agents use them in-process; alone, they
     * reach them over HTTP at {@code DEMO_DOMAIN_URL} / {@code AI_MANAGEMENT_URL}.
     */
    private void startAgentsService(ServeOptions options) {
        DomainApi domainApi = api;
        Authenticator auth = authenticator;
        if (domainApi == null) {
            if (options.domainUrl() == null || options.credentials() == null) {
                throw new ApiException(ErrorKind.UNAVAILABLE, null, "serve agents alone needs DEMO_DOMAIN_URL and"
                        + " API_PASSWORD (the domain's credentials, which the agents service also requires)");
            }
            domainApi = new HttpDomainApi(URI.create(options.domainUrl()), options.credentials().username(),
                    options.credentials().password(), options.trust());
            auth = new Authenticator(options.credentials().username(), PasswordHash.hash(options.credentials().password()))
                    .knownValid(options.credentials().password());
        }
        AiApi aiApi = ai != null ? ai : options.aiUrl() != null
                ? new HttpAiApi(URI.create(options.aiUrl()), options.aiToken(), options.trust()) : null;
        agentsServer = AgentsServer.start(options.host(), options.agentsPort(), options.limits(), options.agentRuns(),
                options.tls(), domainApi, aiApi, auth);
        started.add(agentsServer);
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
        ConfigurationStore configuration = new ConfigurationStore(database.db());
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

    public int agentsPort() {
        return agentsServer.port();
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
