package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.campaignctl.server.AgentRuns;
import dev.campaignctl.server.ServerLimits;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code serve}'s listening options as a user types them: {@code --port} is the port of the service
 * being served, every service listens on loopback by default, and the AI service refuses an
 * address other machines reach unless it has a token (or is told it need not).
 */
class ServeOptionsTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Process serve(Path home, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve"));
        command.addAll(List.of(args));
        command.addAll(List.of("--data-dir", home.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(home.resolve("serve.log").toFile());
        builder.environment().putAll(env);
        return builder.start();
    }

    private static int live(int port) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static void assertListensOn(Path home, Map<String, String> env, String service) throws Exception {
        int port = freePort();
        Process process = serve(home, env, service, "--port", Integer.toString(port));
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException(Files.readString(home.resolve("serve.log")));
                }
                return live(port) == 200;
            });
            assertThat(Files.readString(home.resolve("serve.log"))).contains("listening on http://127.0.0.1:" + port);
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void serveAiPortIsTheAiServicesPort(@TempDir Path home) throws Exception {
        assertListensOn(home, Map.of(), "ai");
    }

    @Test
    void serveAgentsPortIsTheAgentsServicesPort(@TempDir Path home) throws Exception {
        assertListensOn(home, Map.of("DEMO_DOMAIN_URL", "http://127.0.0.1:9", "API_PASSWORD", "agents-test"), "agents");
    }

    @Test
    void theAiServiceRefusesANonLoopbackAddressWithoutAToken(@TempDir Path home) {
        Map<String, String> env = Map.of("CAMPAIGNCTL_HOME", home.toString());
        for (String service : List.of("ai", "all")) {
            CliRun run = CliRun.run(env, "serve", service, "--host", "0.0.0.0", "--port", "0");
            assertThat(run.code()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err().strip()).doesNotContain("\n").contains("AI_API_TOKEN").contains("--insecure-no-token");
        }
    }

    @Test
    void limitsComeFromTheFlagThenTheEnvironmentThenTheDefault() {
        Cli cli = new Cli(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                Map.of("MAX_CONNECTIONS", "500", "READ_TIMEOUT", "10s", "MAX_BATCH_BODY", "2M", "AGENT_MAX_RUNS", "2"), false);
        ServeCommand.All all = new ServeCommand.All(cli);
        new CommandLine(all).parseArgs("--max-connections", "700", "--max-json-body", "64K", "--idle-timeout", "2m",
                "--agent-run-retention", "1800", "--max-agent-file", "1G");

        ServerLimits limits = all.limits();
        AgentRuns.Settings runs = all.agentRuns();

        assertThat(limits.maxConnections()).as("the flag over the environment").isEqualTo(700);
        assertThat(limits.maxConcurrentRequests()).as("the default").isEqualTo(ServerLimits.DEFAULTS.maxConcurrentRequests());
        assertThat(limits.readTimeout()).as("the environment").isEqualTo(Duration.ofSeconds(10));
        assertThat(limits.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(limits.maxJsonBody()).isEqualTo(64 * 1024);
        assertThat(limits.maxBatchBody()).isEqualTo(2 * 1024 * 1024);
        assertThat(limits.maxAgentFile()).isEqualTo(1024 * 1024 * 1024);
        assertThat(runs.maxRunning()).isEqualTo(2);
        assertThat(runs.retention()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void aMalformedLimitIsAUsageErrorNamingTheFlagOrTheVariable(@TempDir Path home) {
        Map<String, String> env = Map.of("CAMPAIGNCTL_HOME", home.toString());
        CliRun flag = CliRun.run(env, "serve", "domain", "--port", "0", "--max-json-body", "2G");
        CliRun variable = CliRun.run(Map.of("CAMPAIGNCTL_HOME", home.toString(), "MAX_CONCURRENT_REQUESTS", "lots"),
                "serve", "ai", "--port", "0");
        CliRun duration = CliRun.run(env, "serve", "agents", "--port", "0", "--agent-run-retention", "0");

        assertThat(flag.code()).as(flag.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(flag.err().strip()).isEqualTo("error: --max-json-body must be a size from 1 byte to 1G, like 512K or 16M, got \"2G\"");
        assertThat(variable.code()).as(variable.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(variable.err().strip()).doesNotContain("\n").contains("MAX_CONCURRENT_REQUESTS must be a whole number");
        assertThat(duration.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(duration.err()).contains("--agent-run-retention must be a duration of at least one second");
    }

    @Test
    void aServeSubcommandOffersOnlyItsOwnOptions() {
        Map<String, String> env = Map.of();
        assertThat(CliRun.run(env, "serve", "domain", "--ai-port", "9001").code()).isEqualTo(ExitCodes.USAGE);
        assertThat(CliRun.run(env, "serve", "ai", "--workers", "2").code()).isEqualTo(ExitCodes.USAGE);
        assertThat(CliRun.run(env, "serve", "agents", "--insecure-no-token").code()).isEqualTo(ExitCodes.USAGE);
        assertThat(CliRun.run(env, "serve", "ai", "--max-batch-body", "1M").code()).isEqualTo(ExitCodes.USAGE);
        assertThat(CliRun.run(env, "serve", "domain", "--agent-max-runs", "2").code()).isEqualTo(ExitCodes.USAGE);
        assertThat(CliRun.run(env, "serve", "domain", "--help").out()).contains("--host").contains("127.0.0.1")
                .doesNotContain("--ai-port");
    }
}
