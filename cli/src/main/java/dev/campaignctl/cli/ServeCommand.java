package dev.campaignctl.cli;

import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.server.DomainServer;
import dev.campaignctl.server.ServeOptions;
import dev.campaignctl.server.Services;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code campaignctl serve domain|all}: run services in this process until stopped. */
@Command(name = "serve", description = "Run services as embedded HTTP servers until stopped.",
        subcommands = {ServeCommand.Domain.class, ServeCommand.All.class})
final class ServeCommand {

    /** Options every serve subcommand takes. */
    abstract static class Base implements Callable<Integer> {
        final Cli cli;
        @Mixin DatabaseOptions database;
        @Option(names = "--host", defaultValue = "0.0.0.0", description = "Interface to listen on (default: ${DEFAULT-VALUE}).") String host;
        @Option(names = "--port", defaultValue = "8000", description = "Domain service port; 0 picks a free one (default: ${DEFAULT-VALUE}).") int port;
        @Option(names = "--poll-interval", defaultValue = "5", paramLabel = "SECONDS",
                description = "Processor poll interval; new events are picked up at once anyway (default: ${DEFAULT-VALUE}).") int pollSeconds;
        @Option(names = "--workers", defaultValue = "2", description = "Processor threads (default: ${DEFAULT-VALUE}).") int workers;
        @Option(names = "--batch-size", defaultValue = "1000", description = "Events per processing transaction (default: ${DEFAULT-VALUE}).") int batchSize;
        @Option(names = "--no-processor", description = "Do not process events here (run process-events elsewhere).") boolean noProcessor;

        Base(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws InterruptedException {
            long start = System.nanoTime();
            ServeOptions options = new ServeOptions(database.config(cli), database.dataDir(cli), host, port,
                    credentials(), new EventProcessor.Settings(batchSize, Duration.ofSeconds(pollSeconds), workers),
                    !noProcessor);
            Services services = Services.startDomain(options, cli.err());
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                services.close();
                stopped.countDown();
            }, "campaignctl-shutdown"));
            cli.err().printf("domain service listening on http://%s:%d (%s) — ready in %d ms%n",
                    host, services.domainPort(), options.db(), (System.nanoTime() - start) / 1_000_000);
            announce();
            cli.err().flush();
            stopped.await();
            return ExitCodes.OK;
        }

        void announce() {
        }

        private Credentials credentials() {
            String password = cli.env("API_PASSWORD");
            if (password == null) {
                return null;
            }
            String user = cli.env("API_USERNAME");
            return new Credentials(user == null ? Credentials.DEFAULT_USERNAME : user, password);
        }
    }

    @Command(name = "domain", description = "The domain service (campaigns, rules, events, earnings) on port 8000.")
    static final class Domain extends Base {
        Domain(Cli cli) {
            super(cli);
        }
    }

    @Command(name = "all", description = "Every service in one process (today: the domain service; AI and agents follow).")
    static final class All extends Base {
        All(Cli cli) {
            super(cli);
        }

        @Override
        void announce() {
            cli.err().println("note: the AI management (8001) and agents (8002) services are not built yet;"
                    + " serving the domain service only");
        }
    }

    static int defaultPort() {
        return DomainServer.DEFAULT_PORT;
    }
}
