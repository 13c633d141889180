package dev.campaignctl.server;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.campaignctl.core.api.RequestId;
import dev.campaignctl.core.metrics.Metrics;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One log line per request — method, path, status, duration, request id — and an
 * {@code X-Request-Id} on every response: the caller's when it sent one, else a new one.
 * {@code LOG_FORMAT=json} writes the line as a JSON object for log collectors.
 */
public final class AccessLog implements Filter {

    private static final Logger LOG = Logger.getLogger("campaignctl.access");
    static final String HEADER = "X-Request-Id";
    private static final String SOURCE = AccessLog.class.getName();

    private final String service;
    private final boolean json;
    private final RouteTemplates routes;
    /**
     * The meters of each (method, route, status) seen, looked up once: the keys are bounded, as
     * methods are a fixed set and routes the service's own templates.
     */
    private final Map<Series, SeriesMeters> meters = new ConcurrentHashMap<>();

    AccessLog(String service, boolean json, RouteTemplates routes) {
        this.service = service;
        this.json = json;
        this.routes = routes;
    }

    /**
     * A fresh request id in UUID form. Ids only need to be unique enough to follow one request
     * through the logs, so they come from a fast per-thread generator rather than SecureRandom,
     * whose shared lock every request would otherwise queue on.
     */
    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    /** Milliseconds with two decimals, without the cost of {@code String.format} on every request. */
    static String millis(long nanos) {
        long hundredths = Math.round(nanos / 10_000.0);
        long fraction = hundredths % 100;
        return hundredths / 100 + (fraction < 10 ? ".0" : ".") + fraction;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        long start = System.nanoTime();
        String id = request.headers().first(HeaderNames.create(HEADER))
                .filter(value -> !value.isBlank() && value.length() <= 128)
                .orElseGet(AccessLog::newRequestId);
        response.header(HEADER, id);
        try {
            RequestId.run(id, chain::proceed);
        } finally {
            long nanos = System.nanoTime() - start;
            String method = request.prologue().method().text();
            String path = request.path().path();
            int status = response.status().code();
            SeriesMeters series = meters(new Series(RouteTemplates.method(method), routes.of(path), status));
            series.requests().increment();
            series.duration().record(nanos, TimeUnit.NANOSECONDS);
            if (LOG.isLoggable(Level.INFO)) {
                // The source given, so no handler has to walk the stack to find it (costly on every request).
                LOG.logp(Level.INFO, SOURCE, "filter", line(json, service, method, path, status, nanos, id));
            }
        }
    }

    /**
     * A plain read first: computeIfAbsent may lock the map's bin even when the key is there, and
     * every request of a busy route would then queue on that one lock.
     */
    private SeriesMeters meters(Series series) {
        SeriesMeters known = meters.get(series);
        return known != null ? known : meters.computeIfAbsent(series, this::register);
    }

    private SeriesMeters register(Series series) {
        return new SeriesMeters(
                Metrics.counter("campaignctl_http_requests_total", "HTTP requests by route and status",
                        "service", service, "method", series.method(), "route", series.route(),
                        "status", Integer.toString(series.status())),
                Metrics.timer("campaignctl_http_request_seconds", "HTTP request duration",
                        "service", service, "method", series.method(), "route", series.route()));
    }

    private record Series(String method, String route, int status) {
    }

    private record SeriesMeters(Counter requests, Timer duration) {
    }

    /** One access-log line; as JSON every string is escaped, so a client's path or id cannot break it. */
    static String line(boolean json, String service, String method, String path, int status, long nanos, String id) {
        String millis = millis(nanos);
        if (!json) {
            return service + " " + method + " " + printable(path) + " " + status + " " + millis + " ms request_id=" + printable(id);
        }
        return "{\"service\":\"" + quoted(service) + "\",\"method\":\"" + quoted(method) + "\",\"path\":\"" + quoted(path)
                + "\",\"status\":" + status + ",\"millis\":" + millis + ",\"request_id\":\"" + quoted(id) + "\"}";
    }

    /** Control characters (a decoded %0A in a path) shown as '?', so no client can forge a log line. */
    private static String printable(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (out == null) {
                    out = new StringBuilder(text);
                }
                out.setCharAt(i, '?');
            }
        }
        return out == null ? text : out.toString();
    }

    private static String quoted(String text) {
        return new String(JsonStringEncoder.getInstance().quoteAsString(text));
    }
}
