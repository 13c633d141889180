package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AccessLogTest {

    @Test
    void durationsAreMillisecondsWithTwoDecimals() {
        assertThat(AccessLog.millis(0)).isEqualTo("0.00");
        assertThat(AccessLog.millis(1_234_567)).isEqualTo("1.23");
        assertThat(AccessLog.millis(1_235_000)).isEqualTo("1.24");
        assertThat(AccessLog.millis(50_000)).isEqualTo("0.05");
        assertThat(AccessLog.millis(999_999_999)).isEqualTo("1000.00");
        assertThat(AccessLog.millis(12_300_000_000L)).isEqualTo("12300.00");
    }

    @Test
    void generatedRequestIdsAreUuidsAndDoNotRepeat() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = AccessLog.newRequestId();
            assertThat(UUID.fromString(id).toString()).isEqualTo(id);
            ids.add(id);
        }
        assertThat(ids).hasSize(10_000);
    }

    @Test
    void pathsAreLabelledByTheirRouteTemplateSoMetricLabelsStayFew() {
        RouteTemplates domain = new RouteTemplates(DomainService.PATHS);
        RouteTemplates agents = new RouteTemplates(AgentsService.PATHS);
        assertThat(domain.of("/campaigns/42/rules")).isEqualTo("/campaigns/{id}/rules");
        assertThat(domain.of("/events/not-a-number")).isEqualTo("/events/{id}");
        assertThat(agents.of("/agents/runs/0b6f2c1e-8d1a-4c55-9f0e-5a7a2d0c9b11")).isEqualTo("/agents/runs/{id}");
        assertThat(domain.of("/no/such/thing")).isEqualTo("unmatched");
        assertThat(domain.of("/events/1/2/3")).isEqualTo("unmatched");
        assertThat(domain.of("/metrics")).isEqualTo("/metrics");
        assertThat(RouteTemplates.method("PATCH")).isEqualTo("PATCH");
        assertThat(RouteTemplates.method("XYZZY")).isEqualTo("other");
    }

    @Test
    void jsonLinesStayJsonWhateverThePathOrRequestIdHoldsAndPlainLinesReadNaturally() throws Exception {
        String line = AccessLog.line(true, "domain", "GET", "/events/a\\b\"c\u0001", 404, 1_500_000, "id \"x\"\\");
        var parsed = dev.campaignctl.core.json.Json.MAPPER.readTree(line);
        assertThat(parsed.get("path").textValue()).isEqualTo("/events/a\\b\"c\u0001");
        assertThat(parsed.get("request_id").textValue()).isEqualTo("id \"x\"\\");
        assertThat(parsed.get("status").intValue()).isEqualTo(404);
        assertThat(parsed.get("millis").decimalValue()).isEqualByComparingTo("1.50");
        assertThat(AccessLog.line(false, "ai", "POST", "/generate", 200, 250_000, "r1"))
                .isEqualTo("ai POST /generate 200 0.25 ms request_id=r1");
        assertThat(AccessLog.line(false, "domain", "GET", "/events/1\nfake 200 line", 404, 0, "a\rb"))
                .isEqualTo("domain GET /events/1?fake 200 line 404 0.00 ms request_id=a?b");
    }
}
