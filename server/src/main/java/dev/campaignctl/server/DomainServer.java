package dev.campaignctl.server;

import dev.campaignctl.core.api.DomainApi;
import dev.campaignctl.core.config.Authenticator;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

/**
 * The domain service on a Helidon WebServer. {@link #routing} is what production runs and what tests
 * reuse, so tests exercise the exact routes, filters and error mapping.
 */
public final class DomainServer implements AutoCloseable {

    public static final int DEFAULT_PORT = 8000;

    private final WebServer server;

    private DomainServer(WebServer server) {
        this.server = server;
    }

    public static void routing(HttpRouting.Builder routing, DomainApi api, Authenticator authenticator) {
        routing(routing, api, authenticator, ServerLimits.DEFAULTS);
    }

    public static void routing(HttpRouting.Builder routing, DomainApi api, Authenticator authenticator, ServerLimits limits) {
        Servers.begin(routing, "domain", DomainService.PATHS);
        routing.addFilter(new BasicAuthFilter(authenticator, Servers.PUBLIC))
                .register(new DomainService(api, limits));
        Servers.finish(routing, DomainService.PATHS);
    }

    public static DomainServer start(String host, int port, DomainApi api, Authenticator authenticator) {
        return start(host, port, ServerLimits.DEFAULTS, null, api, authenticator);
    }

    public static DomainServer start(String host, int port, ServerLimits limits, DomainApi api, Authenticator authenticator) {
        return start(host, port, limits, null, api, authenticator);
    }

    /** @param tls the certificate and key to serve HTTPS with, or null for plain HTTP */
    public static DomainServer start(String host, int port, ServerTls tls, DomainApi api, Authenticator authenticator) {
        return start(host, port, ServerLimits.DEFAULTS, tls, api, authenticator);
    }

    /** @param tls the certificate and key to serve HTTPS with, or null for plain HTTP */
    public static DomainServer start(String host, int port, ServerLimits limits, ServerTls tls, DomainApi api,
                                     Authenticator authenticator) {
        return new DomainServer(Servers.start(host, port, limits, tls,
                Math.max(limits.maxJsonBody(), limits.maxBatchBody()), routing -> routing(routing, api, authenticator, limits)));
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
