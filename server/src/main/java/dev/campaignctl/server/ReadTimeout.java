package dev.campaignctl.server;

import io.helidon.common.task.InterruptableTask;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A server's read timeout: once a request line has arrived, the rest of the request's head must
 * follow within the timeout, and its body after that at {@value #MIN_BODY_RATE} bytes a second on
 * average; otherwise the connection is closed. Helidon 4.1.7 sets no timeout on accepted sockets
 * (the read timeout of its connection options serves its clients only), and a per-read timeout
 * would never stop a client that sends a byte a second while holding a connection and, once its
 * headers are in, a request slot. The wait for a request line belongs to the idle timeout.
 *
 * <p>Helidon reads, routes and handles a connection's requests on the connection's own thread,
 * so the request being read is found from that thread: its request line arms the deadline, a head
 * without a body disarms it, and {@link JsonIo} reports the bytes of a body as they arrive and its
 * end. A sweep closes the connections whose deadline passed, unless they are already back to
 * waiting for a request line (a body nobody read was drained by Helidon after the answer).
 */
final class ReadTimeout {

    /** The slowest a body may arrive, on average, once the read timeout has passed: a modem's pace. */
    static final int MIN_BODY_RATE = 1024;
    private static final Logger LOG = Logger.getLogger(ReadTimeout.class.getName());
    /** The request being received on this connection's thread. */
    private static final ThreadLocal<Receipt> CURRENT = new ThreadLocal<>();

    private final long limitNanos;
    private final Duration limit;
    private final Set<Receipt> armed = ConcurrentHashMap.newKeySet();
    private final Http1ConnectionListener receiveListener = new Http1ConnectionListener() {
        @Override
        public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
            receipt(ctx).start();
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            if (!hasBody(headers)) {
                receipt(ctx).disarm();
            }
        }
    };
    private volatile ScheduledFuture<?> sweep;

    ReadTimeout(Duration limit) {
        this.limit = limit;
        this.limitNanos = limit.toNanos();
    }

    /** To be added to the server's HTTP/1.1 receive listeners. */
    Http1ConnectionListener listener() {
        return receiveListener;
    }

    /** Sweeps, a tenth of the limit apart (at most a second), for as long as {@code running} says. */
    void start(BooleanSupplier running) {
        long period = Math.clamp(limitNanos / 10, TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.SECONDS.toNanos(1));
        sweep = Sweeper.EXECUTOR.scheduleWithFixedDelay(() -> {
            if (running.getAsBoolean()) {
                sweep();
            } else {
                sweep.cancel(false);
                armed.clear();
            }
        }, period, period, TimeUnit.NANOSECONDS);
    }

    /** {@code bytes} more of the body of the request on this thread have arrived: each buys it more time. */
    static void progress(int bytes) {
        Receipt receipt = CURRENT.get();
        if (receipt != null && receipt.deadline.get() != 0) {
            receipt.received(bytes);
        }
    }

    /** The body of the request on this thread has arrived in full. */
    static void received() {
        Receipt receipt = CURRENT.get();
        if (receipt != null) {
            receipt.disarm();
        }
    }

    /** Whether the connection of this thread was closed for taking too long. */
    static boolean timedOut() {
        Receipt receipt = CURRENT.get();
        return receipt != null && receipt.cut;
    }

    private Receipt receipt(ConnectionContext ctx) {
        Receipt receipt = CURRENT.get();
        if (receipt == null || receipt.ctx != ctx || receipt.owner != this) {
            receipt = new Receipt(this, ctx);
            CURRENT.set(receipt);
        }
        return receipt;
    }

    private static boolean hasBody(Headers headers) {
        return headers.contains(HeaderNames.TRANSFER_ENCODING)
                || headers.first(HeaderNames.CONTENT_LENGTH).filter(length -> !length.trim().equals("0")).isPresent();
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Receipt receipt : armed) {
            long deadline = receipt.deadline.get();
            if (deadline == 0 || now - deadline < 0 || !receipt.deadline.compareAndSet(deadline, 0)) {
                continue;
            }
            armed.remove(receipt);
            if (receipt.deadline.get() != 0) {
                armed.add(receipt); // armed again by its thread meanwhile, for its next request
                continue;
            }
            if (!awaitingRequestLine(receipt.ctx)) {
                cut(receipt);
            }
        }
    }

    private static boolean awaitingRequestLine(ConnectionContext ctx) {
        return ctx instanceof InterruptableTask<?> task && task.canInterrupt();
    }

    private void cut(Receipt receipt) {
        receipt.cut = true;
        if (LOG.isLoggable(Level.FINE)) {
            LOG.fine("closing the connection of " + receipt.ctx.remotePeer().address()
                    + ": its request did not arrive within the read timeout of " + limit.toSeconds() + " s");
        }
        try {
            // The connection's thread, blocked in a read, fails at once and Helidon ends the connection.
            receipt.ctx.serverSocket().close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "closing a timed-out connection failed", e);
        }
    }

    /** The request being received on one connection; the connection's thread keeps it. */
    private static final class Receipt {
        final ReadTimeout owner;
        final ConnectionContext ctx;
        /** System.nanoTime() by which the request must have arrived, or 0 when none is being received. */
        final AtomicLong deadline = new AtomicLong();
        volatile boolean cut;
        /** When the request line arrived, and how many bytes of the body have since. */
        private long started;
        private long bodyBytes;

        Receipt(ReadTimeout owner, ConnectionContext ctx) {
            this.owner = owner;
            this.ctx = ctx;
        }

        void start() {
            started = System.nanoTime();
            bodyBytes = 0;
            arm(started + owner.limitNanos);
        }

        void received(int bytes) {
            bodyBytes += bytes;
            arm(started + owner.limitNanos + bodyBytes * TimeUnit.SECONDS.toNanos(1) / MIN_BODY_RATE);
        }

        private void arm(long deadline) {
            this.deadline.set(deadline == 0 ? 1 : deadline);
            owner.armed.add(this);
        }

        void disarm() {
            deadline.set(0);
            owner.armed.remove(this);
        }
    }

    /** One daemon thread sweeps for every server of the process: a sweep takes microseconds. */
    private static final class Sweeper {
        static final ScheduledExecutorService EXECUTOR = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("read-timeout-sweep").factory());
    }
}
