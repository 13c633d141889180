package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.testing.TestDatabases;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The reference's test_integration.py, against the whole domain process (database, processor,
 * HTTP): create a campaign, add a merchant rule, register a matching event, see it processed with
 * matched_rule_id and an earning — within one second, where the reference sleeps seven.
 */
class IntegrationFlowTest {

    @Test
    void registeredEventIsProcessedWithinOneSecond() throws Exception {
        Path dataDir = Files.createTempDirectory("campaignctl-it");
        ServeOptions options = new ServeOptions(TestDatabases.config(), dataDir, "127.0.0.1", 0,
                new Credentials("admin", "integration-secret"), EventProcessor.Settings.defaults(), true);
        try (Services services = Services.startDomain(options, new PrintWriter(new StringWriter()))) {
            TestClient http = new TestClient(services.domainPort(), "admin", "integration-secret");

            long campaign = http.post("/campaigns", "{\"name\": \"Spring Sale 2024\"}").body().get("id").asLong();
            TestClient.Reply rule = http.post("/campaigns/" + campaign + "/rules", "{\"name\": \"merchant rule\","
                    + " \"priority\": 10, \"conditions\": {\"merchant_id\": \"MERCHANT_001\"},"
                    + " \"reward\": {\"type\": \"fixed\", \"value\": 100}}");
            assertThat(rule.status()).isEqualTo(201);
            TestClient.Reply event = http.post("/events", "{\"merchant_id\": \"MERCHANT_001\", \"amount\": 150.00,"
                    + " \"customer_id\": \"C1\"}");
            assertThat(event.status()).isEqualTo(201);
            long id = event.body().get("id").asLong();

            long registered = System.nanoTime();
            TestClient.Reply result = http.get("/events/" + id);
            while (result.body().get("status").asText().equals("pending")
                    && System.nanoTime() - registered < Duration.ofSeconds(1).toNanos()) {
                Thread.sleep(10);
                result = http.get("/events/" + id);
            }

            assertThat(result.body().get("status").asText()).isEqualTo("processed");
            assertThat(result.body().get("matched_rule_id").asLong()).isEqualTo(rule.body().get("id").asLong());
            assertThat(result.body().get("earnings")).hasSize(1);
            assertThat(new ServerState(dataDir).domainUrl()).contains("http://127.0.0.1:" + services.domainPort());
        }
        assertThat(new ServerState(dataDir).domainUrl()).isEmpty();
    }
}
