package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.ai.AiConfig;
import dev.campaignctl.core.ai.AiGateway;
import dev.campaignctl.core.ai.LocalAiApi;
import dev.campaignctl.core.testing.FakeLlmServer;
import dev.campaignctl.server.AiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code campaignctl ai ...} in-process (provider keys in the environment) and against a running service. */
class CliAiTest {

    private static FakeLlmServer anthropic;
    private static AiServer server;
    private static Path home;

    @BeforeAll
    static void start() throws Exception {
        anthropic = new FakeLlmServer(FakeLlmServer.Kind.ANTHROPIC);
        home = Files.createTempDirectory("campaignctl-ai");
        AiConfig config = AiConfig.fromEnv(env(Map.of()));
        server = AiServer.start("127.0.0.1", 0, new LocalAiApi(AiGateway.fromConfig(config), true), null);
    }

    @AfterAll
    static void stop() {
        server.close();
        anthropic.close();
    }

    private static Map<String, String> env(Map<String, String> more) {
        var env = new HashMap<>(Map.of("CAMPAIGNCTL_HOME", home.toString(),
                "ANTHROPIC_API_KEY", FakeLlmServer.KEY, "ANTHROPIC_BASE_URL", anthropic.baseUrl(), "AI_MAX_RETRIES", "0"));
        env.putAll(more);
        return env;
    }

    @Test
    void generateInProcessUsesTheEnvironmentsProvider() {
        CliRun run = CliRun.run(env(Map.of()), "ai", "generate", "Explain loyalty program benefits", "--provider", "anthropic",
                "--max-tokens", "50", "-o", "json");

        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.json().get("provider").asText()).isEqualTo("Anthropic");
        assertThat(run.json().get("text").asText()).contains("max_tokens=50");
    }

    @Test
    void generateThroughARunningServicePrintsTheTextAndCachesIt() {
        String url = "http://127.0.0.1:" + server.port();
        CliRun first = CliRun.run(env(Map.of()), "ai", "generate", "--ai-url", url, "hello cache", "-o", "table");
        CliRun second = CliRun.run(env(Map.of()), "ai", "generate", "--ai-url", url, "hello cache", "-o", "table");

        assertThat(first.code()).as(first.toString()).isZero();
        assertThat(first.out()).startsWith("answer to: hello cache");
        assertThat(first.err()).contains("Anthropic").doesNotContain("cached");
        assertThat(second.err()).contains("cached");
    }

    @Test
    void providersCacheAndErrorsKeepTheirExitCodes() {
        CliRun providers = CliRun.run(env(Map.of()), "ai", "providers", "-o", "json");
        assertThat(providers.json().findValuesAsText("name")).containsExactly("openai", "anthropic");

        CliRun health = CliRun.run(env(Map.of()), "ai", "cache", "health", "-o", "json");
        assertThat(health.code()).isZero();
        assertThat(health.json().get("backend").asText()).isEqualTo("memory");

        CliRun unconfigured = CliRun.run(env(Map.of()), "ai", "generate", "x", "--provider", "openai");
        assertThat(unconfigured.code()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(unconfigured.err()).contains("OPENAI_API_KEY");

        CliRun bad = CliRun.run(env(Map.of()), "ai", "generate", "x", "--temperature", "9");
        assertThat(bad.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(bad.err()).contains("temperature");

        CliRun redisDown = CliRun.run(env(Map.of("REDIS_URL", "redis://127.0.0.1:1/0")), "ai", "cache", "health", "-o", "json");
        assertThat(redisDown.code()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(redisDown.json().get("status").asText()).isEqualTo("degraded");
    }
}
