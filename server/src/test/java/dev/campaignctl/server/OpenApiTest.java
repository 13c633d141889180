package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every route is documented and every documented path is served, for each service. */
class OpenApiTest {

    private static final Map<String, List<String>> SERVICES = Map.of(
            "domain", DomainService.PATHS, "ai", AiService.PATHS, "agents", AgentsService.PATHS);

    @Test
    void documentedPathsAreExactlyTheServedOnes() throws Exception {
        for (var service : SERVICES.entrySet()) {
            JsonNode spec = new YAMLMapper().readTree(Servers.openapi(service.getKey()));
            assertThat(spec.path("openapi").asText()).startsWith("3.");
            List<String> documented = new ArrayList<>();
            spec.path("paths").fieldNames().forEachRemaining(documented::add);
            assertThat(documented).as(service.getKey()).containsExactlyInAnyOrderElementsOf(service.getValue());
            spec.path("paths").forEach(path -> path.fields().forEachRemaining(operation -> {
                if (!operation.getKey().equals("parameters")) {
                    assertThat(operation.getValue().path("summary").asText()).as(operation.getKey()).isNotBlank();
                    assertThat(operation.getValue().path("responses").isEmpty()).isFalse();
                }
            }));
        }
    }

    @Test
    void theDocumentIsServedWithoutCredentials() {
        try (DomainServer server = DomainServer.start("127.0.0.1", 0, null,
                new dev.campaignctl.core.config.Authenticator("admin", dev.campaignctl.core.config.PasswordHash.hash("x")))) {
            TestClient.Reply reply = new TestClient(server.port(), null, null).get("/openapi");
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("Content-Type")).startsWith("application/yaml");
            assertThat(reply.raw().body()).contains("/events/{id}", "campaignctl domain service");
        }
    }
}
