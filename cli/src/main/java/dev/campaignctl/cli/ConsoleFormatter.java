package dev.campaignctl.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One line per record — {@code 2026-11-29T23:54:03.123 INFO campaignctl.access: message} — then the
 * stack trace of a throwable, if any: the layout of the {@code SimpleFormatter} format campaignctl
 * used before, without its {@code String.format} and without asking the record for its source
 * (which walks the caller's stack). {@code serve} writes one such line per request.
 */
public final class ConsoleFormatter extends Formatter {

    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
    private final ZoneId zone = ZoneId.systemDefault();
    /** The formatted second of the last record, reused while records arrive within it. */
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedText = "";

    @Override
    public synchronized String format(LogRecord record) {
        long millis = record.getMillis();
        long second = Math.floorDiv(millis, 1000);
        if (second != cachedSecond) {
            cachedText = LocalDateTime.ofInstant(record.getInstant(), zone).withNano(0).format(SECOND);
            cachedSecond = second;
        }
        int ms = (int) Math.floorMod(millis, 1000);
        StringBuilder line = new StringBuilder(160).append(cachedText).append('.')
                .append(ms < 100 ? (ms < 10 ? "00" : "0") : "").append(ms).append(' ')
                .append(record.getLevel().getName()).append(' ')
                .append(record.getLoggerName()).append(": ")
                .append(formatMessage(record));
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            try (PrintWriter out = new PrintWriter(trace)) {
                out.println();
                record.getThrown().printStackTrace(out);
            }
            line.append(trace.toString().stripTrailing());
        }
        return line.append(System.lineSeparator()).toString();
    }
}
