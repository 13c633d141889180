package dev.campaignctl.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.rule.Condition;
import dev.campaignctl.core.rule.Conditions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Rule evaluation on one core: 50 compiled rules of mixed operators against realistic event
 * documents. One operation is one rule evaluated against one event. Run: {@code scripts/bench-rules}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class RuleEvaluationBenchmark {

    private static final int RULES = 50;
    private Condition[] conditions;
    private JsonNode[] events;
    private int next;

    @Setup
    public void setUp() {
        conditions = new Condition[RULES];
        for (int i = 0; i < RULES; i++) {
            conditions[i] = Conditions.compile(Workload.rule(i).get("conditions"));
        }
        List<JsonNode> documents = Workload.documents(1024, 42);
        events = documents.toArray(JsonNode[]::new);
    }

    @Benchmark
    @OperationsPerInvocation(RULES)
    public void fiftyRulesAgainstOneEvent(Blackhole blackhole) {
        JsonNode event = events[next++ & 1023];
        for (Condition condition : conditions) {
            blackhole.consume(condition.matches(event));
        }
    }
}
