package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.api.LocalDomainApi;
import dev.campaignctl.core.config.ConfigurationStore;
import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every API connection busy: requests get 503 with Retry-After (not a 500, not a hang), and the
 * processor, on connections of its own, goes on deciding events meanwhile.
 */
class PoolExhaustionTest {

    @Test
    void anExhaustedApiPoolAnswers503WithRetryAfterWhileTheProcessorKeepsWorking() throws Exception {
        String password = "pw-" + System.nanoTime();
        try (Database db = Database.open(TestDatabases.config().withPoolSize(2))) {
            var auth = new ConfigurationStore(db.dataSource()).authenticator(new Credentials("admin", password));
            DomainServer server = DomainServer.start("127.0.0.1", 0, new LocalDomainApi(db, null, false), auth);
            EventProcessor processor = new EventProcessor(db, new EventProcessor.Settings(100, Duration.ofSeconds(5), 1));
            Sql.insertPendingEvents(db, 50, 1);
            List<Connection> held = new ArrayList<>();
            try {
                held.add(db.connection());
                held.add(db.connection());
                TestClient http = new TestClient(server.port(), "admin", password);

                TestClient.Reply reply = http.get("/campaigns");

                assertThat(reply.status()).isEqualTo(503);
                assertThat(reply.header("Retry-After")).isEqualTo("1");
                assertThat(reply.body().get("error").asText()).isEqualTo("unavailable");
                assertThat(processor.runUntilEmpty().claimed()).as("the processor's own connections").isEqualTo(50);
            } finally {
                for (Connection connection : held) {
                    connection.close();
                }
                processor.close();
                server.close();
            }
        }
    }
}
