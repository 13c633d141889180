package dev.campaignctl.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

/**
 * The process's one metrics registry, Micrometer's Prometheus registry, so the domain, AI and agents
 * services of a {@code serve all} share one {@code /metrics}. Labels are Micrometer tags: the
 * library escapes their values and the help texts when it writes the text format.
 *
 * <pre>{@code
 * private static final Counter INGESTED = Metrics.counter("campaignctl_events_ingested_total", "Events stored");
 * private static final Timer BATCH = Metrics.timer("campaignctl_processing_batch_seconds", "Batch time");
 * INGESTED.increment(created);
 * BATCH.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
 * }</pre>
 *
 * Looking a meter up builds its id and searches the registry, so callers on hot paths look it up
 * once and keep it.
 */
public final class Metrics {

    /**
     * Bucket bounds of every latency histogram: those the earlier hand-written registry used, so
     * the {@code le} values dashboards and alerts refer to stay the same.
     */
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10)};

    private static final PrometheusMeterRegistry REGISTRY = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private static final Map<GaugeKey, AtomicReference<DoubleSupplier>> GAUGE_SOURCES = new ConcurrentHashMap<>();
    private static final AtomicBoolean JVM_BOUND = new AtomicBoolean();

    private Metrics() {
    }

    /** The shared registry, for libraries that bind their own meters (the connection pool). */
    public static MeterRegistry registry() {
        return REGISTRY;
    }

    /**
     * A counter; {@code tags} are key-value pairs, e.g. {@code "outcome", "processed"}.
     *
     * @param name the exposed name, {@code _total} included
     */
    public static Counter counter(String name, String help, String... tags) {
        return Counter.builder(name).description(help).tags(tags).register(REGISTRY);
    }

    /**
     * A latency histogram in seconds with the fixed {@link #BUCKETS}; record durations in nanoseconds.
     *
     * @param name the exposed name, {@code _seconds} included
     */
    public static Timer timer(String name, String help, String... tags) {
        return Timer.builder(name).description(help).tags(tags).serviceLevelObjectives(BUCKETS).register(REGISTRY);
    }

    /**
     * A gauge read at scrape time. Registering the same name and tags again replaces the source, so
     * a service restarted in the same process (tests do) reports its new database, not the closed
     * one. A source that fails (the database is down) reads as NaN: a Prometheus registry cannot
     * leave a single sample out of a scrape.
     */
    public static void gauge(String name, String help, DoubleSupplier value, String... tags) {
        GAUGE_SOURCES.computeIfAbsent(new GaugeKey(name, Tags.of(tags)), key -> {
            AtomicReference<DoubleSupplier> source = new AtomicReference<>(value);
            Gauge.builder(name, source, Metrics::read).description(help).tags(key.tags()).strongReference(true)
                    .register(REGISTRY);
            return source;
        }).set(value);
    }

    private static double read(AtomicReference<DoubleSupplier> source) {
        try {
            return source.get().getAsDouble();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * Binds the JVM's and the system's meters (memory, GC, threads, class loading, CPU, uptime),
     * once per process however often it is called. Servers call it when they start rather than
     * this class on loading: binding costs a short CLI command that never serves {@code /metrics}
     * a noticeable part of its start.
     */
    public static void bindJvm() {
        if (JVM_BOUND.compareAndSet(false, true)) {
            new ClassLoaderMetrics().bindTo(REGISTRY);
            new JvmMemoryMetrics().bindTo(REGISTRY);
            // Listens to GC notifications for the life of the process, so it is never closed.
            new JvmGcMetrics().bindTo(REGISTRY);
            new JvmThreadMetrics().bindTo(REGISTRY);
            new ProcessorMetrics().bindTo(REGISTRY);
            new UptimeMetrics().bindTo(REGISTRY);
        }
    }

    /** Every meter in the Prometheus text format, version 0.0.4. */
    public static String scrape() {
        return REGISTRY.scrape();
    }

    private record GaugeKey(String name, Tags tags) {
    }
}
