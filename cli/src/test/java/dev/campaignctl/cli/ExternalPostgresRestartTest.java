package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The external PostgreSQL that .ci/run installs (Debian's packages, reached by EXTERNAL_DB_URL),
 * stopped and started with pg_ctlcluster while a real {@code serve domain} processes events on it:
 * the service reports not ready while it is down and the queue drains with exact counts after.
 * Skipped where no such cluster is provided or it cannot be controlled from here.
 */
class ExternalPostgresRestartTest {

    private static final int EVENTS = 10_000;

    /** One row of {@code pg_lsclusters -h}: the Debian cluster that serves the URL's port. */
    private record Cluster(String version, String name, int port, String owner) {

        void ctl(String action, String... options) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of("pg_ctlcluster", version, name, action));
            command.addAll(List.of(options));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        }

        boolean online() throws IOException, InterruptedException {
            Process process = new ProcessBuilder("pg_ctlcluster", version, name, "status").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        }
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "EXTERNAL_DB_URL", matches = ".+")
    void processingRecoversWithExactCountsWhenTheExternalPostgresIsStoppedAndStarted(@TempDir Path home) throws Exception {
        String url = System.getenv("EXTERNAL_DB_URL");
        Optional<Cluster> found = cluster(URI.create(url.substring("jdbc:".length())).getPort());
        assumeTrue(found.isPresent(), "no Debian cluster (pg_lsclusters) serves " + url);
        Cluster cluster = found.get();
        String user = System.getProperty("user.name");
        assumeTrue(user.equals("root") || user.equals(cluster.owner()), "pg_ctlcluster needs root or " + cluster.owner());

        Map<String, String> env = Map.of("DB_USER", System.getenv().getOrDefault("EXTERNAL_DB_USER", "postgres"),
                "DB_PASSWORD", System.getenv().getOrDefault("EXTERNAL_DB_PASSWORD", ""));
        String merchant = "RESTART-" + System.nanoTime();
        try (ServeProcess serve = ServeProcess.start(home, env, "--db-url", url, "--batch-size", "20", "--poll-interval", "1")
                .awaitReady(Duration.ofSeconds(40))) {
            long campaign = serve.create("/campaigns", "{\"name\": \"external restart " + merchant + "\"}");
            serve.create("/campaigns/" + campaign + "/rules", "{\"priority\": 1, \"conditions\": {\"merchant_id\": \""
                    + merchant + "\"}, \"reward\": {\"type\": \"fixed\", \"value\": 1}}");
            execute(url, env, "INSERT INTO events (customer_id, merchant_id, amount) SELECT 'C' || (g % 100), '" + merchant
                    + "', 10 FROM generate_series(1, " + EVENTS + ") AS g");
            String decided = "SELECT count(*) FROM events WHERE merchant_id = '" + merchant + "' AND status <> 'pending'";
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> count(url, env, decided) >= 300);

            long stopped = System.nanoTime();
            try {
                cluster.ctl("stop", "-m", "fast");
                await().atMost(Duration.ofSeconds(20)).until(() -> serve.ready() != 200);
            } finally {
                if (!cluster.online()) {
                    cluster.ctl("start");
                }
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> serve.ready() == 200);
            System.out.printf("external PostgreSQL stopped and started; serve ready again after %d ms%n",
                    Duration.ofNanos(System.nanoTime() - stopped).toMillis());

            String ours = "SELECT count(*) FROM events WHERE merchant_id = '" + merchant + "'";
            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(100))
                    .until(() -> count(url, env, ours + " AND status = 'pending'") == 0);
            assertThat(serve.process().isAlive()).isTrue();
            assertThat(count(url, env, ours + " AND status = 'processed'")).isEqualTo(EVENTS);
            assertThat(count(url, env, "SELECT count(*) FROM earnings WHERE campaign_id = " + campaign)).isEqualTo(EVENTS);
            assertThat(count(url, env, "SELECT count(DISTINCT event_id) FROM earnings WHERE campaign_id = " + campaign))
                    .isEqualTo(EVENTS);
        }
    }

    private static Optional<Cluster> cluster(int port) throws InterruptedException {
        try {
            Process process = new ProcessBuilder("pg_lsclusters", "-h").redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return Optional.empty();
            }
            return output.lines().map(line -> line.trim().split("\\s+"))
                    .filter(columns -> columns.length >= 5 && columns[2].equals(Integer.toString(port)))
                    .map(columns -> new Cluster(columns[0], columns[1], port, columns[4]))
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Connection connect(String url, Map<String, String> env) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", env.get("DB_USER"));
        props.setProperty("password", env.get("DB_PASSWORD"));
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(url, props);
    }

    private static void execute(String url, Map<String, String> env, String sql) throws SQLException {
        try (Connection c = connect(url, env); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(String url, Map<String, String> env, String query) throws SQLException {
        try (Connection c = connect(url, env); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
