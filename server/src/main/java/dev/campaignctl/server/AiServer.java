package dev.campaignctl.server;

import dev.campaignctl.core.ai.AiApi;
import dev.campaignctl.core.ai.ChatGateway;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

/** The AI management service on a Helidon WebServer; {@link #routing} is shared with tests. */
public final class AiServer implements AutoCloseable {

    public static final int DEFAULT_PORT = 8001;

    private final WebServer server;

    private AiServer(WebServer server) {
        this.server = server;
    }

    /** @param token the bearer token required on every route but /health, or null for none */
    public static void routing(HttpRouting.Builder routing, AiApi api, String token) {
        routing(routing, api, token, ServerLimits.DEFAULTS);
    }

    public static void routing(HttpRouting.Builder routing, AiApi api, String token, ServerLimits limits) {
        routing(routing, api, null, token, limits);
    }

    /** @param chat the OpenAI-compatible API with its keys, or null for none */
    public static void routing(HttpRouting.Builder routing, AiApi api, ChatGateway chat, String token, ServerLimits limits) {
        Servers.begin(routing, "ai", AiService.PATHS);
        if (token != null || chat != null && chat.keys() != null) {
            routing.addFilter(new AiAuthFilter(token, chat == null ? null : chat.keys(), Servers.PUBLIC));
        }
        routing.register(new AiService(api, chat, limits));
        Servers.finish(routing, AiService.PATHS);
    }

    public static AiServer start(String host, int port, AiApi api, String token) {
        return start(host, port, ServerLimits.DEFAULTS, null, api, token);
    }

    public static AiServer start(String host, int port, ServerLimits limits, AiApi api, String token) {
        return start(host, port, limits, null, api, token);
    }

    /** @param tls the certificate and key to serve HTTPS with, or null for plain HTTP */
    public static AiServer start(String host, int port, ServerTls tls, AiApi api, String token) {
        return start(host, port, ServerLimits.DEFAULTS, tls, api, token);
    }

    /** @param tls the certificate and key to serve HTTPS with, or null for plain HTTP */
    public static AiServer start(String host, int port, ServerLimits limits, ServerTls tls, AiApi api, String token) {
        return start(host, port, limits, tls, api, null, token);
    }

    /** @param chat the OpenAI-compatible API with its keys, or null for none */
    public static AiServer start(String host, int port, ServerLimits limits, ServerTls tls, AiApi api, ChatGateway chat, String token) {
        return new AiServer(Servers.start(host, port, limits, tls, limits.maxJsonBody(), true,
                routing -> routing(routing, api, chat, token, limits)));
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
