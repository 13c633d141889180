package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.testing.TestDatabases;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real {@code serve} processes on one database: 64 redemptions of 10 from 200 points, split between them, let exactly 20 through. */
class LedgerTwoServersTest {

    @Test
    void twoServersOnOneDatabaseNeverLetABalanceGoBelowZero(@TempDir Path one, @TempDir Path two) throws Exception {
        String url = TestDatabases.newDatabaseUrl();
        ServeProcess first = ServeProcess.start(one, Map.of(), "--db-url", url, "--db-user", "postgres")
                .awaitReady(Duration.ofSeconds(90));
        ServeProcess second = ServeProcess.start(two, Map.of(), "--db-url", url, "--db-user", "postgres")
                .awaitReady(Duration.ofSeconds(90));
        try {
            assertThat(first.post("/customers/C1/adjustments", "{\"points\": 200, \"reason\": \"start\"}").statusCode())
                    .isEqualTo(201);
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            try (ExecutorService pool = Executors.newFixedThreadPool(64)) {
                List<Future<?>> runs = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    ServeProcess target = i % 2 == 0 ? first : second;
                    runs.add(pool.submit(() -> {
                        HttpResponse<String> reply = target.post("/customers/C1/redemptions", "{\"points\": 10}");
                        if (reply.statusCode() == 201) {
                            ok.incrementAndGet();
                        } else {
                            assertThat(reply.statusCode()).isEqualTo(409);
                            assertThat(Json.tree(reply.body()).get("error").asText()).isEqualTo("insufficient_points");
                            refused.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> run : runs) {
                    run.get();
                }
            }
            assertThat(ok.get()).isEqualTo(20);
            assertThat(refused.get()).isEqualTo(44);
            HttpResponse<String> balance = second.post("/ledger/verify", "{}");
            assertThat(Json.tree(balance.body()).get("mismatches")).isEmpty();
        } finally {
            first.close();
            second.close();
        }
    }
}
