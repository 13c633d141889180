package dev.campaignctl.server;

import dev.campaignctl.core.ai.keys.KeyStore;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Releases budget leases left by a replica that died: every minute, those not touched for two
 * minutes (a live replica touches its leases every 20 seconds) go back to their key.
 */
final class ReservationSweeper implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ReservationSweeper.class.getName());
    static final Duration AGE = Duration.ofMinutes(2);

    private final ScheduledExecutorService timer;

    private ReservationSweeper(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    static ReservationSweeper start(KeyStore keys) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("ai-reservation-sweeper").factory());
        timer.scheduleWithFixedDelay(() -> {
            try {
                int released = keys.sweep(AGE);
                if (released > 0) {
                    LOG.info("released the stale reservations of " + released + " key(s)");
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not sweep stale AI reservations: " + e.getMessage());
            }
        }, 1, 60, TimeUnit.SECONDS);
        return new ReservationSweeper(timer);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
