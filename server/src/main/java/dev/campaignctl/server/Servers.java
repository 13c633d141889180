package dev.campaignctl.server;

import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.metrics.Metrics;
import io.helidon.cors.CrossOriginConfig;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.cors.CorsSupport;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** What every service's server shares: the listener settings, the JSON 404, the error mapping. */
public final class Servers {

    private Servers() {
    }

    /**
     * A server on {@code host:port} with {@code limits} on open connections, requests in progress,
     * idle and read time, serving HTTPS with {@code tls} (null: plain HTTP). A body declared longer
     * than {@code maxPayload}, the largest any of its endpoints reads, is refused before a handler
     * runs (endpoints cap their own while reading). Requests Helidon refuses itself get JSON error
     * bodies too.
     */
    static WebServer start(String host, int port, ServerLimits limits, ServerTls tls, long maxPayload,
                           Consumer<HttpRouting.Builder> routing) {
        return start(host, port, limits, tls, maxPayload, false, routing);
    }

    /** @param streams whether the server streams (Server-Sent Events): then its sockets set TCP_NODELAY */
    static WebServer start(String host, int port, ServerLimits limits, ServerTls tls, long maxPayload, boolean streams,
                           Consumer<HttpRouting.Builder> routing) {
        ReadTimeout readTimeout = new ReadTimeout(limits.readTimeout());
        WebServerConfig.Builder builder = WebServer.builder()
                .host(host)
                .port(port)
                .maxPayloadSize(maxPayload)
                .connectionOptions(new ConnectionLimit(limits.maxConnections(), streams))
                .maxConcurrentRequests(limits.maxConcurrentRequests())
                .idleConnectionTimeout(limits.idleTimeout())
                .idleConnectionPeriod(idleCheckPeriod(limits.idleTimeout()))
                .addProtocol(Http1Config.builder()
                        .addReceiveListener(new ReceiveListeners(new RequestFraming(), readTimeout.listener()))
                        .build())
                .directHandlers(TransportErrors.handlers())
                .shutdownHook(false)
                .routing(routing);
        if (tls != null) {
            builder.tls(tls.tls());
        }
        WebServer server = builder.build().start();
        readTimeout.start(server::isRunning);
        return server;
    }

    /** Idle connections are looked for five times per idle timeout, at least every minute: a connection stays at most 20 % longer. */
    private static Duration idleCheckPeriod(Duration idleTimeout) {
        return Duration.ofMillis(Math.clamp(idleTimeout.toMillis() / 5, 200, Duration.ofMinutes(1).toMillis()));
    }

    /**
     * Starts a service's routing with the access log; {@code LOG_FORMAT=json} selects JSON lines.
     *
     * @param paths the service's path templates, e.g. {@code /campaigns/{id}}
     */
    static void begin(HttpRouting.Builder routing, String service, List<String> paths) {
        routing.addFilter(new AccessLog(service, "json".equalsIgnoreCase(System.getenv("LOG_FORMAT")),
                new RouteTemplates(paths)));
        cors(System.getenv("CORS_ORIGINS")).ifPresent(routing::register);
        byte[] openapi = openapi(service);
        routing.get("/openapi", (request, response) -> {
            response.header(HeaderNames.CONTENT_TYPE, "application/yaml");
            response.send(openapi);
        });
        Metrics.bindJvm();
        routing.get("/metrics", (request, response) -> {
            response.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            response.send(Metrics.scrape().getBytes(StandardCharsets.UTF_8));
        });
    }

    /**
     * Cross-origin access for the origins in {@code CORS_ORIGINS} (comma-separated, e.g.
     * {@code https://admin.example.com}); none when unset, so browsers keep other sites' pages
     * from reading any answer. Preflights are answered before authentication (they carry no
     * credentials); the requests that follow still need them.
     */
    static Optional<CorsSupport> cors(String origins) {
        if (origins == null || origins.isBlank()) {
            return Optional.empty();
        }
        String[] allowed = Arrays.stream(origins.split(",")).map(String::trim).filter(o -> !o.isEmpty())
                .toArray(String[]::new);
        return Optional.of(CorsSupport.builder()
                .addCrossOrigin(CrossOriginConfig.builder()
                        .allowOrigins(allowed)
                        .allowMethods("GET", "POST", "PATCH")
                        .allowHeaders("Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id")
                        .exposeHeaders("Link", "Retry-After", "Idempotent-Replayed", "X-Request-Id")
                        .allowCredentials(true)
                        .maxAgeSeconds(600)
                        .build())
                .build());
    }

    /**
     * Paths every service serves without credentials: the health probes always, and /metrics and
     * /openapi unless {@code DOCS_REQUIRE_AUTH=true} puts them behind the service's credentials.
     */
    static final Set<String> PUBLIC = "true".equalsIgnoreCase(System.getenv("DOCS_REQUIRE_AUTH"))
            ? Set.of("/health", "/health/live", "/health/ready")
            : Set.of("/health", "/health/live", "/health/ready", "/metrics", "/openapi");

    /** The service's OpenAPI document, kept beside the code in {@code openapi/<service>.yaml}. */
    public static byte[] openapi(String service) {
        try (var in = Servers.class.getResourceAsStream("/openapi/" + service + ".yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi/" + service + ".yaml missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Ends a service's routing: a known path asked with the wrong method gets a JSON 405, anything
     * else unknown a JSON 404, and failures their status.
     *
     * @param paths the service's path templates, e.g. {@code /campaigns/{id}}
     */
    static void finish(HttpRouting.Builder routing, List<String> paths) {
        RouteTemplates known = new RouteTemplates(paths);
        routing.any((request, response) -> {
            String path = request.path().path();
            String method = request.prologue().method().text();
            if (known.known(path)) {
                throw new ApiException(ErrorKind.METHOD_NOT_ALLOWED, null, method + " is not supported on " + path);
            }
            throw new ApiException(ErrorKind.NOT_FOUND, null, "no route for " + method + " " + path);
        });
        ErrorMapping.register(routing);
    }
}
