package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.testing.ScriptedHttpServer;
import dev.campaignctl.core.testing.TestDatabases;
import dev.campaignctl.server.ServeOptions;
import dev.campaignctl.server.Services;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The command tree against a running domain service, by --url and by discovery in the data directory. */
class CliRemoteTest {

    private static final String PASSWORD = "remote-" + System.nanoTime();
    private static Services services;
    private static Path dataDir;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("campaignctl-remote");
        services = Services.startDomain(new ServeOptions(TestDatabases.config(), dataDir, "127.0.0.1", 0,
                new Credentials("admin", PASSWORD), EventProcessor.Settings.defaults(), true),
                new PrintWriter(new StringWriter()));
        url = "http://127.0.0.1:" + services.domainPort();
    }

    @AfterAll
    static void stop() {
        services.close();
    }

    private static Map<String, String> env(String password) {
        return Map.of("CAMPAIGNCTL_HOME", dataDir.toString(), "API_PASSWORD", password);
    }

    private static CliRun cli(String... args) {
        return CliRun.run(env(PASSWORD), args);
    }

    @Test
    void registerSendsAKeyAndAsksAgainUnderItWhenTheAnswerIsLost() throws Exception {
        String event = "{\"id\":41,\"amount\":3.00,\"merchant_id\":\"LOST\",\"status\":\"pending\",\"duplicate\":false}";
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> index == 0 ? ""
                : "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nIdempotent-Replayed: true\r\nContent-Length: "
                + event.length() + "\r\n\r\n" + event)) {
            CliRun run = cli("event", "register", "--url", "http://127.0.0.1:" + server.port(), "--merchant", "LOST",
                    "--amount", "3.00", "-o", "json");

            assertThat(run.code()).as(run.toString()).isZero();
            assertThat(run.json().get("id").asLong()).isEqualTo(41);
            assertThat(server.requests).hasSize(2);
            Pattern header = Pattern.compile("\r\nIdempotency-Key: ([0-9a-f-]{36})\r\n");
            Matcher first = header.matcher(server.requests.get(0));
            Matcher second = header.matcher(server.requests.get(1));
            assertThat(first.find()).as(server.requests.get(0)).isTrue();
            assertThat(second.find()).isTrue();
            assertThat(second.group(1)).isEqualTo(first.group(1));
        }
        CliRun another = cli("event", "register", "--url", url, "--merchant", "KEYED_REMOTE", "--amount", "1", "-o", "json");
        CliRun again = cli("event", "register", "--url", url, "--merchant", "KEYED_REMOTE", "--amount", "1", "-o", "json");
        assertThat(again.json().get("id").asLong()).as("a new invocation is a new key").isNotEqualTo(another.json().get("id").asLong());
    }

    @Test
    void theQuickStartFlowWorksAgainstARunningServerByUrl() throws InterruptedException {
        CliRun campaign = cli("campaign", "create", "--url", url, "--name", "Remote Sale", "-o", "json");
        assertThat(campaign.code()).as(campaign.toString()).isZero();
        String campaignId = campaign.json().get("id").asText();
        CliRun rule = cli("rule", "add", "--url", url, "--campaign", campaignId, "--priority", "10",
                "--when", "{\"merchant_id\":\"REMOTE_M\"}", "--reward", "percentage:10", "-o", "json");
        assertThat(rule.code()).as(rule.toString()).isZero();
        CliRun event = cli("event", "register", "--url", url, "--merchant", "REMOTE_M", "--customer", "RC",
                "--amount", "150.00", "--external-id", "remote-1", "-o", "json");
        assertThat(event.code()).as(event.toString()).isZero();
        String eventId = event.json().get("id").asText();

        String status = "pending";
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (status.equals("pending") && System.nanoTime() < deadline) {
            Thread.sleep(10);
            status = cli("event", "get", "--url", url, eventId, "-o", "json").json().get("status").asText();
        }
        assertThat(status).isEqualTo("processed");
        CliRun earnings = cli("earnings", "list", "--url", url, "--campaign", campaignId, "-o", "json");
        assertThat(earnings.json().get(0).get("amount").decimalValue()).isEqualByComparingTo("15.00");

        CliRun duplicate = cli("event", "register", "--url", url, "--merchant", "REMOTE_M", "--customer", "RC",
                "--amount", "150", "--external-id", "remote-1", "-o", "json");
        assertThat(duplicate.code()).isZero();
        assertThat(duplicate.json().get("id").asText()).isEqualTo(eventId);
        assertThat(duplicate.err()).contains("already registered");
        CliRun conflict = cli("event", "register", "--url", url, "--amount", "1", "--external-id", "remote-1");
        assertThat(conflict.code()).isEqualTo(ExitCodes.CONFLICT);
    }

    @Test
    void aServerRunningOnTheSameDataDirectoryIsFoundWithoutAUrl() {
        CliRun created = cli("campaign", "create", "--name", "Found", "-o", "json");
        assertThat(created.code()).as(created.toString()).isZero();
        // The data directory holds no database: only the running server can know this campaign.
        CliRun got = cli("campaign", "get", "--url", url, created.json().get("id").asText(), "-o", "json");
        assertThat(got.json().get("name").asText()).isEqualTo("Found");
        assertThat(Files.exists(dataDir.resolve("pgdata"))).isFalse();
    }

    @Test
    void remoteErrorsKeepTheirExitCodes() throws Exception {
        CliRun auth = CliRun.run(env("wrong"), "campaign", "list", "--url", url);
        assertThat(auth.code()).isEqualTo(ExitCodes.AUTH);
        assertThat(auth.err()).contains("invalid username or password");

        CliRun missing = cli("campaign", "get", "--url", url, "424242");
        assertThat(missing.code()).isEqualTo(ExitCodes.NOT_FOUND);

        CliRun invalid = cli("campaign", "create", "--url", url, "--name", "x", "--budget", "-1");
        assertThat(invalid.code()).as(invalid.err()).isEqualTo(ExitCodes.INVALID);
        assertThat(invalid.err()).contains("budget");

        // A decimal whose plain form would be a billion digits is refused by name before anything writes it.
        for (String[] args : List.of(new String[] {"customer", "redeem", "C1", "--points", "1e999999999"},
                new String[] {"customer", "adjust", "C1", "--points", "-1e999999999", "--reason", "x"},
                new String[] {"event", "refund", "1", "--amount", "1e999999999"})) {
            List<String> remote = new java.util.ArrayList<>(List.of(args));
            remote.addAll(List.of("--url", url));
            CliRun huge = cli(remote.toArray(String[]::new));
            assertThat(huge.code()).as(huge.toString()).isEqualTo(ExitCodes.INVALID);
            assertThat(huge.err()).contains("must have at most 24 digits").hasSizeLessThan(300).doesNotContain("Exception");
        }

        // A page size out of range is refused while parsing, before the service is asked.
        CliRun limit = cli("campaign", "list", "--url", url, "--limit", "0");
        assertThat(limit.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(limit.err()).contains("--limit");

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        CliRun down = cli("campaign", "list", "--url", "http://127.0.0.1:" + closedPort);
        assertThat(down.code()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(down.err()).contains("cannot reach");
    }
}
