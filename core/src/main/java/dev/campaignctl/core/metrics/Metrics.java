package dev.campaignctl.core.metrics;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * A small Prometheus registry: counters and histograms by name and labels, gauges read at scrape
 * time, rendered in the text exposition format. One per process ({@link #GLOBAL}), so the domain,
 * AI and agents services of a {@code serve all} share one {@code /metrics}.
 *
 * <pre>{@code
 * Metrics.GLOBAL.counter("campaignctl_events_ingested_total", "Events stored", "").add(n);
 * Metrics.GLOBAL.histogram("campaignctl_batch_seconds", "Processing batch time", "").observe(0.012);
 * }</pre>
 */
public final class Metrics {

    public static final Metrics GLOBAL = new Metrics();
    private static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Map<String, Family> families = new ConcurrentHashMap<>();

    /** A counter; {@code labels} is the Prometheus label text without braces, e.g. {@code outcome="processed"}. */
    public LongAdder counter(String name, String help, String labels) {
        return family(name, help, "counter").counters.computeIfAbsent(labels, l -> new LongAdder());
    }

    public Histogram histogram(String name, String help, String labels) {
        return family(name, help, "histogram").histograms.computeIfAbsent(labels, l -> new Histogram());
    }

    /** A gauge read when scraped; a failing supplier leaves the sample out. */
    public void gauge(String name, String help, String labels, DoubleSupplier value) {
        family(name, help, "gauge").gauges.put(labels, value);
    }

    private Family family(String name, String help, String type) {
        return families.computeIfAbsent(name, n -> new Family(help, type));
    }

    /** The text exposition format, families sorted by name. */
    public String scrape() {
        StringBuilder out = new StringBuilder(4096);
        jvm(out);
        new TreeMap<>(families).forEach((name, family) -> {
            out.append("# HELP ").append(name).append(' ').append(family.help).append('\n');
            out.append("# TYPE ").append(name).append(' ').append(family.type).append('\n');
            new TreeMap<>(family.counters).forEach((labels, value) -> sample(out, name, labels, value.sum()));
            new TreeMap<>(family.gauges).forEach((labels, supplier) -> {
                try {
                    sample(out, name, labels, supplier.getAsDouble());
                } catch (RuntimeException e) {
                    // A gauge whose source is down (the database, say) is left out of this scrape.
                }
            });
            new TreeMap<>(family.histograms).forEach((labels, histogram) -> histogram.render(out, name, labels));
        });
        return out.toString();
    }

    private static void jvm(StringBuilder out) {
        var memory = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        out.append("# TYPE jvm_memory_heap_used_bytes gauge\njvm_memory_heap_used_bytes ").append(memory.getUsed()).append('\n');
        out.append("# TYPE jvm_memory_heap_max_bytes gauge\njvm_memory_heap_max_bytes ").append(memory.getMax()).append('\n');
        out.append("# TYPE jvm_threads_live gauge\njvm_threads_live ").append(ManagementFactory.getThreadMXBean().getThreadCount()).append('\n');
        long gcCount = 0;
        long gcMillis = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        out.append("# TYPE jvm_gc_collections_total counter\njvm_gc_collections_total ").append(gcCount).append('\n');
        out.append("# TYPE jvm_gc_seconds_total counter\njvm_gc_seconds_total ").append(gcMillis / 1000.0).append('\n');
    }

    static void sample(StringBuilder out, String name, String labels, double value) {
        out.append(name);
        if (!labels.isEmpty()) {
            out.append('{').append(labels).append('}');
        }
        out.append(' ').append(format(value)).append('\n');
    }

    static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : String.format(Locale.ROOT, "%.6f", value);
    }

    /** Escapes a label value. */
    public static String label(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static final class Family {
        final String help;
        final String type;
        final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
        final Map<String, DoubleSupplier> gauges = new ConcurrentHashMap<>();
        final Map<String, Histogram> histograms = new ConcurrentHashMap<>();

        Family(String help, String type) {
            this.help = help;
            this.type = type;
        }
    }

    /** Cumulative buckets of seconds, as Prometheus expects. */
    public static final class Histogram {
        private final LongAdder[] buckets = new LongAdder[BUCKETS.length];
        private final LongAdder count = new LongAdder();
        private final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

        Histogram() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        public void observe(double seconds) {
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    buckets[i].increment();
                }
            }
            count.increment();
            sum.add(seconds);
        }

        public void observeNanos(long nanos) {
            observe(nanos / 1e9);
        }

        void render(StringBuilder out, String name, String labels) {
            String prefix = labels.isEmpty() ? "" : labels + ",";
            for (int i = 0; i < BUCKETS.length; i++) {
                sample(out, name + "_bucket", prefix + "le=\"" + BUCKETS[i] + "\"", buckets[i].sum());
            }
            sample(out, name + "_bucket", prefix + "le=\"+Inf\"", count.sum());
            sample(out, name + "_sum", labels, sum.sum());
            sample(out, name + "_count", labels, count.sum());
        }
    }
}
