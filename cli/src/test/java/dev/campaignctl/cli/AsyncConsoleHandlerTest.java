package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The console handler of serve: request lines written off the caller's thread, warnings at once and in order. */
class AsyncConsoleHandlerTest {

    private static LogRecord record(Level level, String message) {
        LogRecord record = new LogRecord(level, message);
        record.setLoggerName("campaignctl.test");
        return record;
    }

    @Test
    void aWarningIsOnTheConsoleWhenPublishReturnsAfterTheLinesQueuedBeforeIt() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream original = System.err;
        AsyncConsoleHandler handler;
        System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
        try {
            handler = new AsyncConsoleHandler();
        } finally {
            System.setErr(original);
        }
        try {
            handler.publish(record(Level.INFO, "first request"));
            handler.publish(record(Level.INFO, "second request"));
            handler.publish(record(Level.WARNING, "something failed"));

            String written = console.toString(StandardCharsets.UTF_8);
            assertThat(written.lines().toList()).hasSize(3);
            assertThat(written.indexOf("first request")).isLessThan(written.indexOf("second request"));
            assertThat(written.indexOf("second request")).isLessThan(written.indexOf("something failed"));
            assertThat(written.lines().findFirst().orElseThrow())
                    .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO campaignctl\\.test: first request");

            handler.publish(record(Level.INFO, "third request"));
        } finally {
            handler.close();
        }
        assertThat(console.toString(StandardCharsets.UTF_8)).as("close writes what is queued").contains("third request");
        handler.publish(record(Level.INFO, "after close"));
        assertThat(console.toString(StandardCharsets.UTF_8)).doesNotContain("after close");
    }

    @Test
    void theFormatterWritesAThrowablesTraceAfterTheLine() {
        LogRecord record = record(Level.SEVERE, "worker died");
        record.setThrown(new IllegalStateException("boom"));
        String text = new ConsoleFormatter().format(record);
        assertThat(text).contains(" SEVERE campaignctl.test: worker died" + System.lineSeparator()
                + "java.lang.IllegalStateException: boom");
        assertThat(text).endsWith(System.lineSeparator());
    }
}
