package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.testing.FakeLlmServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The external path for real: a PostgreSQL server reached by URL with a password (DB_PASSWORD) and
 * a Redis server, as .ci/run installs and starts them from the distribution's packages. Skipped
 * where they are not provided (EXTERNAL_DB_URL, EXTERNAL_REDIS_URL).
 */
class ExternalServicesTest {

    private static Map<String, String> env(Path home) {
        return Map.of("CAMPAIGNCTL_HOME", home.toString(),
                "DB_URL", System.getenv("EXTERNAL_DB_URL"),
                "DB_USER", System.getenv().getOrDefault("EXTERNAL_DB_USER", "postgres"),
                "DB_PASSWORD", System.getenv().getOrDefault("EXTERNAL_DB_PASSWORD", ""));
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "EXTERNAL_DB_URL", matches = ".+")
    void theQuickStartFlowWorksOnAnExternalPostgresWithAPassword(@TempDir Path home) {
        Map<String, String> env = env(home);
        CliRun campaign = CliRun.run(env, "campaign", "create", "--name", "External " + System.nanoTime(), "-o", "json");
        assertThat(campaign.code()).as(campaign.toString()).isZero();
        String id = campaign.json().get("id").asText();
        String merchant = "EXT-" + System.nanoTime();
        assertThat(CliRun.run(env, "rule", "add", "--campaign", id, "--when", "{\"merchant_id\": \"" + merchant + "\"}",
                "--reward", "fixed:7").code()).isZero();
        CliRun event = CliRun.run(env, "event", "register", "--merchant", merchant, "--amount", "20", "-o", "json");
        assertThat(event.json().get("status").asText()).isEqualTo("processed");
        assertThat(event.json().at("/earnings/0/amount").decimalValue()).isEqualByComparingTo("7");

        Map<String, String> wrong = new HashMap<>(env);
        wrong.put("DB_PASSWORD", "not-the-password");
        CliRun refused = CliRun.run(wrong, "campaign", "list");
        assertThat(refused.code()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(refused.err()).contains("cannot connect to the database").doesNotContain("not-the-password");
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "EXTERNAL_REDIS_URL", matches = ".+")
    void theAiCacheWorksOnAnExternalRedis(@TempDir Path home) {
        try (var fake = new FakeLlmServer(FakeLlmServer.Kind.OPENAI)) {
            Map<String, String> env = Map.of("CAMPAIGNCTL_HOME", home.toString(), "REDIS_URL", System.getenv("EXTERNAL_REDIS_URL"),
                    "OPENAI_API_KEY", FakeLlmServer.KEY, "OPENAI_BASE_URL", fake.baseUrl());
            String prompt = "external redis " + System.nanoTime();
            assertThat(CliRun.run(env, "ai", "generate", prompt, "-o", "json").json().get("cached").asBoolean()).isFalse();
            assertThat(CliRun.run(env, "ai", "generate", prompt, "-o", "json").json().get("cached").asBoolean()).isTrue();
            CliRun health = CliRun.run(env, "ai", "cache", "health", "-o", "json");
            assertThat(health.json().get("backend").asText()).isEqualTo("redis");
            assertThat(health.json().get("status").asText()).isEqualTo("ok");
        }
    }
}
