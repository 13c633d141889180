package dev.campaignctl.server;

import java.time.Duration;

/**
 * What one server lets its clients hold: connections, requests in progress, time, and body bytes
 * per kind of endpoint. Past a limit a client gets a clean answer — 503 with {@code Retry-After}
 * for too many requests at once, 413 for a body too large — or a closed connection, never a hang.
 *
 * <pre>{@code
 * ServerLimits limits = ServerLimits.DEFAULTS.withReadTimeout(Duration.ofSeconds(5));
 * }</pre>
 *
 * @param maxConnections        open connections; one more is closed as soon as it is accepted
 * @param maxConcurrentRequests requests being handled at once; one more gets 503 and its connection closed
 * @param idleTimeout           how long a connection may wait for its next request line
 * @param readTimeout           how long the rest of a request's head may take once its request line has
 *                              arrived (its body then has to keep up 1 KiB/s on average); past it the
 *                              connection is closed
 * @param maxJsonBody           bytes of a JSON body (all single-object endpoints)
 * @param maxBatchBody          bytes of an event batch ({@code POST /events/batch})
 * @param maxAgentFile          bytes of an event file sent to the agents ({@code POST /agents/event-batches})
 */
public record ServerLimits(int maxConnections, int maxConcurrentRequests, Duration idleTimeout, Duration readTimeout,
                           int maxJsonBody, int maxBatchBody, int maxAgentFile) {

    /** Largest body any endpoint may be allowed: a body is held in memory whole. */
    public static final int MAX_BODY_LIMIT = 1024 * 1024 * 1024;

    /**
     * Enough connections for a busy service behind no proxy; enough concurrent requests to keep the
     * group commit full under a load of 64 connections and the rest for health probes, yet few
     * enough that requests on two cores do not queue behind each other for seconds; the bodies as
     * the endpoints have always allowed (10,000 events of about 1.5 KiB; 100,000 of about 600 bytes).
     */
    public static final ServerLimits DEFAULTS = new ServerLimits(10_000, 128, Duration.ofMinutes(5), Duration.ofSeconds(30),
            1024 * 1024, 16 * 1024 * 1024, 64 * 1024 * 1024);

    public ServerLimits {
        positive("max-connections", maxConnections);
        positive("max-concurrent-requests", maxConcurrentRequests);
        atLeastOneSecond("idle-timeout", idleTimeout);
        atLeastOneSecond("read-timeout", readTimeout);
        body("max-json-body", maxJsonBody);
        body("max-batch-body", maxBatchBody);
        body("max-agent-file", maxAgentFile);
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }

    private static void atLeastOneSecond(String name, Duration value) {
        if (value == null || value.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(name + " must be at least 1 second, got " + value);
        }
    }

    private static void body(String name, int value) {
        if (value < 1 || value > MAX_BODY_LIMIT) {
            throw new IllegalArgumentException(name + " must be 1 to " + MAX_BODY_LIMIT + " bytes, got " + value);
        }
    }

    public ServerLimits withMaxConnections(int value) {
        return new ServerLimits(value, maxConcurrentRequests, idleTimeout, readTimeout, maxJsonBody, maxBatchBody, maxAgentFile);
    }

    public ServerLimits withMaxConcurrentRequests(int value) {
        return new ServerLimits(maxConnections, value, idleTimeout, readTimeout, maxJsonBody, maxBatchBody, maxAgentFile);
    }

    public ServerLimits withIdleTimeout(Duration value) {
        return new ServerLimits(maxConnections, maxConcurrentRequests, value, readTimeout, maxJsonBody, maxBatchBody, maxAgentFile);
    }

    public ServerLimits withReadTimeout(Duration value) {
        return new ServerLimits(maxConnections, maxConcurrentRequests, idleTimeout, value, maxJsonBody, maxBatchBody, maxAgentFile);
    }

    public ServerLimits withBodies(int json, int batch, int agentFile) {
        return new ServerLimits(maxConnections, maxConcurrentRequests, idleTimeout, readTimeout, json, batch, agentFile);
    }
}
