package dev.campaignctl.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.config.CredentialsFile;
import dev.campaignctl.server.ServerState;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Hidden: the workload the launcher records once into the JVM's ahead-of-time cache (JDK 25+), so
 * later short commands start with their classes loaded and linked, their lambdas and string
 * concatenations bound and their methods profiled. It runs the commands people time — help, and
 * the list commands against a running service — for real, against a stand-in service on loopback
 * found through a throw-away data directory, as the CLI finds a running {@code serve}.
 */
@Command(name = "training-run", hidden = true, description = "Exercise start-up paths for the JVM's AOT cache.")
final class TrainingRunCommand implements Callable<Integer> {

    private final Cli cli;

    TrainingRunCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws IOException {
        Path dataDir = Files.createTempDirectory("campaignctl-training");
        // Its own config directory and home: the user's profiles (URLs, passwords) stay out of it.
        Map<String, String> env = Map.of("XDG_CONFIG_HOME", dataDir.resolve("config").toString(),
                "HOME", dataDir.toString(), "CAMPAIGNCTL_HOME", dataDir.toString());
        Cli quiet = new Cli(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), env, false);
        render(CommandTree.full(quiet));
        try (StandIn service = new StandIn()) {
            new ServerState(dataDir).write(service.url(), null, null, null);
            new CredentialsFile(dataDir).write(new Credentials("admin", "training-only"));
            String dir = "--data-dir=" + dataDir;
            int failed = 0;
            for (List<String> args : List.of(
                    List.of("--help"), List.of("version"), List.of("campaign", "--help"),
                    List.of("campaign", "list", dir), List.of("campaign", "list", dir, "-o", "table"),
                    List.of("campaign", "list", dir, "-o", "wide"), List.of("campaign", "list", dir, "-o", "yaml"),
                    List.of("campaign", "list", dir, "-q"), List.of("campaign", "get", "1", dir),
                    List.of("rule", "list", "--campaign", "1", dir), List.of("event", "list", dir, "-o", "table"),
                    List.of("event", "get", "1", dir), List.of("earnings", "list", dir))) {
                failed += expect(quiet, ExitCodes.OK, args);
            }
            failed += expect(quiet, ExitCodes.NOT_FOUND, List.of("campaign", "get", "2", dir));
            if (failed > 0) {
                return ExitCodes.FAILURE;
            }
        } finally {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        cli.err().println("training run done");
        return ExitCodes.OK;
    }

    /** Runs one command line; 1 when it did not end as expected (said on stderr), else 0. */
    private int expect(Cli quiet, int expected, List<String> args) {
        int code = Main.run(quiet, args.toArray(String[]::new));
        if (code == expected) {
            return 0;
        }
        cli.err().println("training run: '" + String.join(" ", args) + "' exited " + code + ", expected " + expected);
        return 1;
    }

    private static void render(CommandLine line) {
        line.getUsageMessage();
        line.getSubcommands().values().forEach(TrainingRunCommand::render);
    }

    /** A domain service stand-in with one campaign, rule, event and earning, and a 404 for the rest. */
    private static final class StandIn implements AutoCloseable {
        private static final String CAMPAIGN = "{\"id\":1,\"name\":\"Spring Sale\",\"description\":null,\"status\":\"active\","
                + "\"starts_at\":null,\"ends_at\":null,\"evaluation\":\"first\",\"budget_total\":5000.00,\"budget_spent\":0,"
                + "\"customer_cap\":null,\"created_at\":\"2026-03-01T09:29:53.673802Z\",\"updated_at\":\"2026-03-01T09:29:53.673802Z\"}";
        private static final String RULE = "{\"id\":1,\"campaign_id\":1,\"name\":null,\"priority\":10,"
                + "\"conditions\":{\"merchant_id\":\"M1\",\"amount\":{\"$gte\":100}},\"reward\":{\"type\":\"fixed\",\"value\":100},"
                + "\"created_at\":\"2026-03-01T09:45:53.968045Z\"}";
        private static final String EARNING = "{\"id\":1,\"event_id\":1,\"campaign_id\":1,\"rule_id\":1,\"customer_id\":\"C1\","
                + "\"amount\":100.00,\"created_at\":\"2026-03-01T09:45:54.015674Z\"}";
        private static final String EVENT = "{\"id\":1,\"external_id\":null,\"customer_id\":\"C1\",\"merchant_id\":\"M1\","
                + "\"amount\":150.00,\"currency\":\"EUR\",\"occurred_at\":\"2026-03-01T09:45:54.009648Z\",\"transaction_data\":{\"sku\":\"A1\"},"
                + "\"status\":\"processed\",\"matched_rule_id\":1,\"failure_reason\":null,\"note\":null,"
                + "\"created_at\":\"2026-03-01T09:45:54.009648Z\",\"processed_at\":\"2026-03-01T09:45:54.038956Z\"";
        private static final Map<String, String> ANSWERS = Map.of(
                "/campaigns", "[" + CAMPAIGN + "]",
                "/campaigns/1", CAMPAIGN,
                "/campaigns/1/rules", "[" + RULE + "]",
                "/events", "[" + EVENT + "}]",
                "/events/1", EVENT + ",\"earnings\":[" + EARNING + "]}",
                "/earnings", "[" + EARNING + "]");

        /** The JDK's small server: no Helidon to start, and its classes are not the ones short commands need cached. */
        private final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);

        StandIn() throws IOException {
            server.createContext("/", StandIn::answer);
            server.start();
        }

        String url() {
            InetSocketAddress address = server.getAddress();
            String host = address.getAddress() instanceof Inet6Address
                    ? "[" + address.getAddress().getHostAddress() + "]" : address.getAddress().getHostAddress();
            return "http://" + host + ":" + address.getPort();
        }

        private static void answer(HttpExchange exchange) throws IOException {
            String body = ANSWERS.get(exchange.getRequestURI().getPath());
            int status = body != null ? 200 : 404;
            if (body == null) {
                body = "{\"error\":\"not_found\",\"message\":\"campaign 2 not found\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
