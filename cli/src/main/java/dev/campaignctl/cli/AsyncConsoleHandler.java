package dev.campaignctl.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * The console handler of {@code serve}: records go to stderr like {@link java.util.logging.ConsoleHandler}'s,
 * but INFO and below (the access log: a line per request) are written by a thread of their own, many
 * lines per write and flush. The JDK's handler writes and flushes under one lock on the request's
 * thread, and at 64 concurrent requests that lock and its system calls cost {@code serve} a
 * third of its requests per second (measured with wrk, single POST /events).
 *
 * <p>INFO lines are written every {@value #PERIOD_MS} ms, all that arrived meanwhile in one write.
 * Warnings and errors are written at once, after whatever is queued, so they keep their order and
 * are on the console when {@code publish} returns. When more than {@value #CAPACITY} lines wait,
 * further INFO lines are dropped rather than holding requests up, and the number dropped is
 * written with the next batch. {@link #close()} (at exit too) writes what is left.
 */
public final class AsyncConsoleHandler extends Handler {

    private static final int CAPACITY = 16_384;
    private static final int PERIOD_MS = 20;

    /** Lock-free, so loggers never queue on a lock or wake the writer: it drains every {@value #PERIOD_MS} ms. */
    private final ConcurrentLinkedQueue<LogRecord> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final Writer out;
    private final Object writing = new Object();
    private final Thread writer;
    private volatile boolean closed;

    public AsyncConsoleHandler() {
        PrintStream err = System.err;
        Charset charset = err.charset();
        this.out = new OutputStreamWriter(err, charset);
        setFormatter(new ConsoleFormatter());
        setLevel(Level.ALL);
        this.writer = Thread.ofPlatform().daemon().name("campaignctl-log-writer").start(this::writeLoop);
    }

    @Override
    public void publish(LogRecord record) {
        if (closed || !isLoggable(record)) {
            return;
        }
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            synchronized (writing) {
                List<LogRecord> batch = drain();
                batch.add(record);
                write(batch);
            }
        } else if (queued.incrementAndGet() > CAPACITY) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
        } else {
            queue.add(record);
        }
    }

    /** What is queued, oldest first; callers hold {@code writing}. */
    private List<LogRecord> drain() {
        List<LogRecord> batch = new ArrayList<>();
        for (LogRecord record; (record = queue.poll()) != null; ) {
            batch.add(record);
        }
        queued.addAndGet(-batch.size());
        return batch;
    }

    private void writeLoop() {
        while (!closed) {
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
            if (!queue.isEmpty()) {
                synchronized (writing) {
                    write(drain());
                }
            }
        }
    }

    /**
     * Formats, writes and flushes the records, with a note first when lines were dropped; callers
     * hold {@code writing}. Records are formatted here, off the thread that logged them (they are
     * not changed after they are logged).
     */
    private void write(List<LogRecord> records) {
        try {
            long lost = dropped.getAndSet(0);
            if (lost > 0) {
                out.write("(" + lost + " log lines dropped: the console could not keep up)" + System.lineSeparator());
            }
            Formatter formatter = getFormatter();
            for (LogRecord record : records) {
                try {
                    out.write(formatter.format(record));
                } catch (RuntimeException e) {
                    reportError(null, e, ErrorManager.FORMAT_FAILURE);
                }
            }
            out.flush();
        } catch (IOException | RuntimeException e) {
            reportError(null, e, ErrorManager.WRITE_FAILURE);
        }
    }

    @Override
    public void flush() {
        synchronized (writing) {
            write(drain());
        }
    }

    @Override
    public void close() {
        closed = true;
        writer.interrupt();
        flush();
    }
}
