package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.json.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of a real {@code serve domain} in the middle of a storm of redemptions and refunds: started
 * again at once, its ledger verifies clean, and every redemption and refund that was acknowledged
 * is there exactly once.
 */
class LedgerCrashTest {

    @Test
    void afterSigkillDuringRedemptionsAndRefundsTheLedgerVerifiesAndEveryAcknowledgedOperationIsThereOnce(
            @TempDir Path home) throws Exception {
        List<Long> purchases = new ArrayList<>();
        Set<String> redeemed = ConcurrentHashMap.newKeySet();
        Set<Long> refunds = ConcurrentHashMap.newKeySet();
        ServeProcess serve = ServeProcess.start(home, Map.of()).awaitReady(Duration.ofSeconds(90));
        try {
            long campaign = serve.create("/campaigns", "{\"name\": \"crash\"}");
            serve.create("/campaigns/" + campaign + "/rules", "{\"conditions\": {}, \"reward\": {\"type\": \"percentage\", \"value\": 100}}");
            for (int i = 0; i < 100; i++) {
                purchases.add(serve.create("/events", "{\"amount\": 100, \"customer_id\": \"C" + (i % 10) + "\"}"));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> serve.count("SELECT count(*) FROM events WHERE status = 'pending'") == 0);

            AtomicBoolean stop = new AtomicBoolean();
            try (ExecutorService storm = Executors.newFixedThreadPool(16)) {
                List<Future<?>> runs = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    int thread = t;
                    runs.add(storm.submit(() -> {
                        for (int i = 0; !stop.get(); i++) {
                            ThreadLocalRandom random = ThreadLocalRandom.current();
                            try {
                                if (thread % 2 == 0) {
                                    String key = "r-" + thread + "-" + i;
                                    HttpResponse<String> reply = serve.post("/customers/C" + random.nextInt(10) + "/redemptions",
                                            "{\"points\": 1, \"external_id\": \"" + key + "\"}");
                                    if (reply.statusCode() == 201) {
                                        redeemed.add(key);
                                    }
                                } else {
                                    long event = purchases.get(random.nextInt(purchases.size()));
                                    HttpResponse<String> reply = serve.post("/events/" + event + "/refunds", "{\"amount\": 0.5}");
                                    if (reply.statusCode() == 201) {
                                        refunds.add(Json.tree(reply.body()).get("refund_id").asLong());
                                    }
                                }
                            } catch (Exception connectionGone) {
                                return null;
                            }
                        }
                        return null;
                    }));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> redeemed.size() + refunds.size() > 300);
                serve.process().destroyForcibly();
                serve.process().waitFor(30, TimeUnit.SECONDS);
                stop.set(true);
                for (Future<?> run : runs) {
                    run.get();
                }
            }
        } finally {
            serve.close();
        }

        ServeProcess again = ServeProcess.start(home, Map.of()).awaitReady(Duration.ofSeconds(90));
        try {
            HttpResponse<String> verify = again.post("/ledger/verify", "{}");
            assertThat(verify.statusCode()).isEqualTo(200);
            JsonNode report = Json.tree(verify.body());
            assertThat(report.get("mismatches")).as(verify.body()).isEmpty();
            for (String key : redeemed) {
                assertThat(again.count("SELECT count(*) FROM redemptions WHERE external_id = '" + key + "'"))
                        .as("acknowledged redemption " + key).isEqualTo(1);
            }
            for (long refund : refunds) {
                assertThat(again.count("SELECT count(*) FROM refunds WHERE id = " + refund)).as("refund " + refund).isEqualTo(1);
            }
            System.out.printf("killed after %d acknowledged redemptions and %d refunds; ledger verified clean%n",
                    redeemed.size(), refunds.size());
        } finally {
            again.close();
        }
    }
}
