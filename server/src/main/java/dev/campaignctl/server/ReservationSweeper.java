package dev.campaignctl.server;

import dev.campaignctl.core.ai.keys.KeyStore;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Releases budget reservations left by a replica that died mid-request: every five minutes, those
 * older than an hour (longer than any request the gateway lets run) go back to their key.
 */
final class ReservationSweeper implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ReservationSweeper.class.getName());
    static final Duration AGE = Duration.ofHours(1);

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
        }, 1, 300, TimeUnit.SECONDS);
        return new ReservationSweeper(timer);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
