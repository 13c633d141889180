package dev.campaignctl.core.idempotency;

import dev.campaignctl.core.db.Db;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Deletes idempotency keys past {@link IdempotencyKeys#RETENTION}, a minute after start (sooner for
 * a shorter interval) and then every {@code interval}, on one daemon thread; a domain server runs one. One indexed DELETE an hour
 * costs nothing measurable, where purging on every request would add a statement to each. Several
 * replicas purging at once only delete the same rows.
 *
 * <pre>{@code
 * try (KeyPurger purger = KeyPurger.start(database.dataSource(), Duration.ofHours(1))) { ... }
 * }</pre>
 */
public final class KeyPurger implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KeyPurger.class.getName());
    private static final Duration FIRST_RUN = Duration.ofMinutes(1);

    private final ScheduledExecutorService scheduler;

    private KeyPurger(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    public static KeyPurger start(DataSource dataSource, Duration interval) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "idempotency-key-purge");
            thread.setDaemon(true);
            return thread;
        });
        long first = Math.min(FIRST_RUN.toMillis(), interval.toMillis());
        Db db = Db.over(dataSource);
        scheduler.scheduleWithFixedDelay(() -> purge(db), first, interval.toMillis(), TimeUnit.MILLISECONDS);
        return new KeyPurger(scheduler);
    }

    /** Never throws: a failure that escaped would cancel every later run. */
    private static void purge(Db db) {
        try {
            int deleted = IdempotencyKeys.purge(db, IdempotencyKeys.RETENTION);
            if (deleted > 0) {
                LOG.fine(() -> "purged " + deleted + " idempotency keys older than " + IdempotencyKeys.RETENTION.toHours() + " h");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "idempotency key purge failed; trying again at the next interval", e);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
