package dev.campaignctl.server;

import dev.campaignctl.core.ai.AiApi;
import dev.campaignctl.core.api.DomainApi;
import dev.campaignctl.core.config.Authenticator;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

/**
 * The agents service on a Helidon WebServer. It acts on the domain with full rights, so it takes
 * the domain's HTTP Basic credentials; {@code /health} is open.
 */
public final class AgentsServer implements AutoCloseable {

    public static final int DEFAULT_PORT = 8002;

    private final WebServer server;

    private AgentsServer(WebServer server) {
        this.server = server;
    }

    public static void routing(HttpRouting.Builder routing, DomainApi domain, AiApi ai, Authenticator authenticator) {
        routing(routing, domain, ai, authenticator, ServerLimits.DEFAULTS, AgentRuns.Settings.DEFAULTS);
    }

    public static void routing(HttpRouting.Builder routing, DomainApi domain, AiApi ai, Authenticator authenticator,
                               ServerLimits limits, AgentRuns.Settings runs) {
        Servers.begin(routing, "agents", AgentsService.PATHS);
        routing.addFilter(new BasicAuthFilter(authenticator, Servers.PUBLIC))
                .register(new AgentsService(domain, ai, limits, runs));
        Servers.finish(routing, AgentsService.PATHS);
    }

    public static AgentsServer start(String host, int port, DomainApi domain, AiApi ai, Authenticator authenticator) {
        return start(host, port, ServerLimits.DEFAULTS, AgentRuns.Settings.DEFAULTS, null, domain, ai, authenticator);
    }

    public static AgentsServer start(String host, int port, ServerLimits limits, AgentRuns.Settings runs, DomainApi domain,
                                     AiApi ai, Authenticator authenticator) {
        return start(host, port, limits, runs, null, domain, ai, authenticator);
    }

    /** @param tls the certificate and key to serve HTTPS with, or null for plain HTTP */
    public static AgentsServer start(String host, int port, ServerTls tls, DomainApi domain, AiApi ai, Authenticator authenticator) {
        return start(host, port, ServerLimits.DEFAULTS, AgentRuns.Settings.DEFAULTS, tls, domain, ai, authenticator);
    }

    /** @param tls the certificate and key to serve HTTPS with, or null for plain HTTP */
    public static AgentsServer start(String host, int port, ServerLimits limits, AgentRuns.Settings runs, ServerTls tls,
                                     DomainApi domain, AiApi ai, Authenticator authenticator) {
        return new AgentsServer(Servers.start(host, port, limits, tls, Math.max(limits.maxJsonBody(), limits.maxAgentFile()),
                routing -> routing(routing, domain, ai, authenticator, limits, runs)));
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
