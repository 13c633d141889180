package dev.campaignctl.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The registry's scrape: escaping, histogram buckets, replaceable gauges, the JVM's meters. */
class MetricsTest {

    @Test
    void labelValuesAndHelpWithQuoteBackslashAndNewlineAreEscaped() {
        Metrics.counter("metrics_test_escaping_total", "help with \\ and\nnewline",
                "value", "say \"hi\" \\ then\nmore").increment();

        assertThat(Metrics.scrape())
                .contains("# HELP metrics_test_escaping_total help with \\\\ and\\nnewline\n")
                .contains("metrics_test_escaping_total{value=\"say \\\"hi\\\" \\\\ then\\nmore\"} 1.0\n");
    }

    @Test
    void timersAreHistogramsWithTheFixedBucketsInSeconds() {
        Metrics.timer("metrics_test_seconds", "Test timer", "kind", "a").record(2, TimeUnit.MILLISECONDS);

        assertThat(Metrics.scrape()).contains("# TYPE metrics_test_seconds histogram",
                "metrics_test_seconds_bucket{kind=\"a\",le=\"0.001\"} 0\n",
                "metrics_test_seconds_bucket{kind=\"a\",le=\"0.0025\"} 1\n",
                "metrics_test_seconds_bucket{kind=\"a\",le=\"10.0\"} 1\n",
                "metrics_test_seconds_bucket{kind=\"a\",le=\"+Inf\"} 1\n",
                "metrics_test_seconds_count{kind=\"a\"} 1\n",
                "metrics_test_seconds_sum{kind=\"a\"} 0.002\n");
    }

    @Test
    void aGaugeRegisteredAgainReadsItsNewSource() {
        Metrics.gauge("metrics_test_replaced", "Test gauge", () -> 1, "source", "x");
        Metrics.gauge("metrics_test_replaced", "Test gauge", () -> 2, "source", "x");

        assertThat(Metrics.scrape()).contains("metrics_test_replaced{source=\"x\"} 2.0\n");
    }

    @Test
    void aGaugeWhoseSourceFailsReadsNaN() {
        Metrics.gauge("metrics_test_failing", "Test gauge", () -> {
            throw new IllegalStateException("database down");
        });

        assertThat(Metrics.scrape()).contains("metrics_test_failing NaN\n");
    }

    @Test
    void jvmAndSystemMetersAppearOnceBoundHoweverOftenBound() {
        Metrics.bindJvm();
        Metrics.bindJvm();

        String text = Metrics.scrape();
        assertThat(text).contains("jvm_memory_used_bytes{area=\"heap\"", "jvm_memory_max_bytes{area=\"heap\"",
                "# TYPE jvm_gc_memory_allocated_bytes_total counter", "jvm_threads_live_threads ",
                "jvm_classes_loaded_classes ", "system_cpu_count ", "process_uptime_seconds ");
        assertThat(text.lines().filter(line -> line.startsWith("# TYPE jvm_threads_live_threads "))).hasSize(1);
    }
}
