package dev.campaignctl.core.event;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** A generation counter idle workers wait on, so a signal between "queue empty" and "wait" is never lost. */
final class Wakeup {
    private final AtomicLong generation = new AtomicLong();
    /** Workers inside awaitChange; signal takes the monitor only when one may be waiting. */
    private volatile int waiting;
    /** Set by the signal that notified the current waiters; cleared by each waiter as it starts waiting. */
    private final AtomicBoolean notified = new AtomicBoolean();

    long generation() {
        return generation.get();
    }

    /**
     * Called by every registration in this process: lock-free unless a worker waits. A waiter
     * counts itself before it reads the generation, so a signal either sees it waiting (and
     * notifies under the monitor) or happened before that read (and the waiter never waits).
     */
    void signal() {
        generation.incrementAndGet();
        // One notification per wait is enough (the waiters watch the generation): the many
        // registrations that arrive meanwhile skip the monitor instead of queueing on it.
        if (waiting > 0 && !notified.getAndSet(true)) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    synchronized void awaitChange(long seen, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        waiting++;
        // Before the generation is read: a signal after that read sees it cleared, and notifies.
        notified.set(false);
        try {
            while (generation.get() == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        } finally {
            waiting--;
        }
    }

    void sleep(Duration duration) {
        awaitChange(generation(), duration);
    }

    /** Sleeps the whole duration, whatever signals arrive. */
    void sleepUninterrupted(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        for (long left = duration.toNanos(); left > 0 && !Thread.currentThread().isInterrupted();
             left = deadline - System.nanoTime()) {
            awaitChange(generation(), Duration.ofNanos(left));
        }
    }
}
