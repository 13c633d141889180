package dev.campaignctl.server;

import dev.campaignctl.core.api.DomainApi;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Expiry in the background of {@code serve}: every {@link #INTERVAL}, lots past their time become
 * {@code expire} entries (so within a minute of expiring), on one daemon thread. Replicas doing it
 * at once serialise on each customer's balance row and expire each lot once.
 */
final class PointsExpiry implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PointsExpiry.class.getName());
    static final Duration INTERVAL = Duration.ofSeconds(30);

    private final ScheduledExecutorService scheduler;

    private PointsExpiry(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    static PointsExpiry start(DomainApi api) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "points-expiry");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(() -> expire(api), INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return new PointsExpiry(scheduler);
    }

    /** Never throws: a failure that escaped would cancel every later run. */
    private static void expire(DomainApi api) {
        try {
            int customers = api.expirePoints(Instant.now());
            if (customers > 0) {
                LOG.fine(() -> "expired points of " + customers + " customers");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "points expiry failed; trying again at the next interval", e);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
