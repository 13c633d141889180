package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.campaignctl.core.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --tls-cert/--tls-key} in a real process, with a CA and a server certificate made for
 * this run, and the CLI against it: trusted through {@code --cacert}, {@code CAMPAIGNCTL_CACERT} or
 * by finding the server in its data directory; refused, in one line, without the CA.
 */
class CliTlsTest {

    @TempDir
    static Path dir;
    private static TestPki pki;
    private static ServeProcess serve;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir.resolve("pki"), "ip:127.0.0.1,dns:localhost");
        Path home = dir.resolve("home");
        Files.createDirectories(home);
        serve = ServeProcess.start(home, Map.of(), "--tls-cert", pki.chainPem.toString(), "--tls-key", pki.keyPem.toString());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!serve.process().isAlive()) {
                throw new IllegalStateException("serve exited:\n" + serve.log());
            }
            return Long.toString(serve.process().pid()).equals(serve.state().getProperty("pid"));
        });
        url = serve.state().getProperty("domain.url");
    }

    @AfterAll
    static void stop() throws Exception {
        if (serve != null) {
            serve.close();
        }
    }

    private static Map<String, String> env(String... more) {
        Map<String, String> env = new HashMap<>(Map.of("CAMPAIGNCTL_HOME", dir.resolve("cli-home").toString(),
                "XDG_CONFIG_HOME", dir.resolve("config").toString(), "API_PASSWORD", ServeProcess.PASSWORD));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    @Test
    void theServerRecordsAnHttpsUrlAndSaysItListensOnHttps() {
        assertThat(url).startsWith("https://127.0.0.1:");
        assertThat(serve.log()).contains("domain service listening on https://127.0.0.1:");
    }

    @Test
    void remoteCommandsWorkOverHttpsWhenTheCliTrustsThePrivateCa() {
        CliRun created = CliRun.run(env(), "campaign", "create", "--url", url, "--cacert", pki.caPem.toString(),
                "--name", "Secure Sale", "-o", "json");
        assertThat(created.code()).as(created.toString()).isZero();
        assertThat(created.json().get("name").asText()).isEqualTo("Secure Sale");

        CliRun byEnvironment = CliRun.run(env("CAMPAIGNCTL_CACERT", pki.caPem.toString()), "campaign", "get", "--url", url,
                created.json().get("id").asText(), "-o", "json");
        assertThat(byEnvironment.code()).as(byEnvironment.toString()).isZero();

        // No --url: the CLI finds the https URL in the server's data directory.
        CliRun byDataDirectory = CliRun.run(env("CAMPAIGNCTL_HOME", dir.resolve("home").toString()),
                "campaign", "list", "--cacert", pki.caPem.toString(), "-o", "json");
        assertThat(byDataDirectory.code()).as(byDataDirectory.toString()).isZero();
        assertThat(byDataDirectory.out()).contains("Secure Sale");
    }

    @Test
    void withoutTheCaTheCliRefusesTheServerInOneLineAndExitsUnavailable() {
        CliRun refused = CliRun.run(env(), "campaign", "list", "--url", url);

        assertThat(refused.code()).as(refused.toString()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(refused.err()).isEqualTo("error: cannot reach " + url + ": TLS: the server's certificate is not signed by a trusted CA"
                + System.lineSeparator());
        assertThat(refused.out()).isEmpty();
    }

    @Test
    void aCaFileThatCannotBeReadIsAUsageError() {
        CliRun missing = CliRun.run(env(), "campaign", "list", "--url", url, "--cacert", dir.resolve("nope.pem").toString());

        assertThat(missing.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).startsWith("error: cannot read the CA file ").endsWith("nope.pem: no such file" + System.lineSeparator());
    }

    @Test
    void serveRefusesHalfATlsConfigurationAndFilesItCannotUseBeforeStartingAnything() throws Exception {
        Path data = dir.resolve("never-started");
        CliRun certOnly = CliRun.run(env(), "serve", "domain", "--data-dir", data.toString(), "--tls-cert", pki.chainPem.toString());
        assertThat(certOnly.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(certOnly.err()).isEqualTo("error: --tls-cert and --tls-key go together: give both, or neither for plain HTTP"
                + System.lineSeparator());

        CliRun missingKey = CliRun.run(env(), "serve", "all", "--data-dir", data.toString(), "--tls-cert", pki.chainPem.toString(),
                "--tls-key", dir.resolve("missing-key.pem").toString());
        assertThat(missingKey.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(missingKey.err()).startsWith("error: cannot read --tls-key ").endsWith("missing-key.pem: no such file" + System.lineSeparator());

        CliRun keyAsCertificate = CliRun.run(env(), "serve", "ai", "--data-dir", data.toString(), "--tls-cert", pki.keyPem.toString(),
                "--tls-key", pki.keyPem.toString());
        assertThat(keyAsCertificate.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(keyAsCertificate.err()).startsWith("error: --tls-cert ").hasLineCount(1);

        TestPki other = TestPki.create(dir.resolve("other"), "ip:127.0.0.1");
        CliRun wrongKey = CliRun.run(env(), "serve", "agents", "--data-dir", data.toString(), "--tls-cert", pki.chainPem.toString(),
                "--tls-key", other.keyPem.toString());
        assertThat(wrongKey.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(wrongKey.err()).contains("is not the key of the certificate in").hasLineCount(1);
        assertThat(data).doesNotExist();
    }
}
