package dev.campaignctl.cli;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code campaignctl serve domain} process started from the test class path, for fault tests
 * that kill it or its PostgreSQL with real signals. Reads where it listens from
 * {@code <data dir>/server.properties} and reaches its database the way {@code process-events} does.
 *
 * <pre>{@code
 * try (ServeProcess serve = ServeProcess.start(home, Map.of()).awaitReady()) { serve.post("/campaigns", "{...}"); }
 * }</pre>
 */
final class ServeProcess implements AutoCloseable {

    static final String USER = "admin";
    static final String PASSWORD = "fault-test-password";
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private static int started;

    private final Path home;
    private final Path log;
    private final Process process;

    private ServeProcess(Path home, Path log, Process process) {
        this.home = home;
        this.log = log;
        this.process = process;
    }

    /** Starts {@code serve domain} on a free port with {@code home} as its data directory; {@code env} adds variables. */
    static synchronized ServeProcess start(Path home, Map<String, String> env, String... extraArgs) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "domain", "--host", "127.0.0.1", "--port", "0", "--data-dir", home.toString()));
        command.addAll(List.of(extraArgs));
        Path log = home.resolve("serve-" + (++started) + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> environment = new HashMap<>(Map.of("API_USERNAME", USER, "API_PASSWORD", PASSWORD));
        environment.putAll(env);
        builder.environment().putAll(environment);
        return new ServeProcess(home, log, builder.start());
    }

    /** Waits until this process (not one killed before it) has written server.properties and answers ready. */
    ServeProcess awaitReady(Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("serve exited with " + process.exitValue() + ":\n" + log());
            }
            return Long.toString(process.pid()).equals(state().getProperty("pid")) && ready() == 200;
        });
        return this;
    }

    Process process() {
        return process;
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    Properties state() throws IOException {
        Properties props = new Properties();
        Path file = home.resolve("server.properties");
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(reader);
            }
        }
        return props;
    }

    URI url(String path) throws IOException {
        return URI.create(state().getProperty("domain.url") + path);
    }

    /** {@code GET /health/ready}'s status; 0 when no answer comes within two seconds. */
    int ready() {
        try {
            HttpRequest request = HttpRequest.newBuilder(url("/health/ready")).timeout(Duration.ofSeconds(2)).GET().build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url(path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Posts and returns the created resource's id, failing on anything but 201. */
    long create(String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> response = post(path, json);
        if (response.statusCode() != 201) {
            throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode body = Json.tree(response.body());
        return body.get("id").asLong();
    }

    /** A new connection to the embedded database at the URL serve published, with the cluster's password. */
    Connection database() throws IOException, SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("password", Files.readString(home.resolve("db-password")).strip());
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(state().getProperty("db.url"), props);
    }

    long count(String query) throws IOException, SQLException {
        try (Connection c = database(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The PID in {@code <data dir>/pgdata/postmaster.pid}. */
    static long postmasterPid(Path home) throws IOException {
        return Long.parseLong(Files.readAllLines(home.resolve("pgdata/postmaster.pid")).getFirst().strip());
    }

    /** Whether {@code pid} is a live PostgreSQL process on {@code home}'s cluster (a reaped-or-not zombie is not). */
    static boolean runsOnCluster(long pid, Path home) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd")).equals(home.resolve("pgdata").toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM, and SIGKILL if it has not stopped within 30 seconds. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
