package dev.campaignctl.cli;

import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.server.ServeOptions;
import dev.campaignctl.server.Services;
import dev.campaignctl.core.ai.AiConfig;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code campaignctl serve domain|all}: run services in this process until stopped. */
@Command(name = "serve", description = "Run services as embedded HTTP servers until stopped.",
        subcommands = {ServeCommand.Domain.class, ServeCommand.Ai.class, ServeCommand.Agents.class, ServeCommand.All.class})
final class ServeCommand {

    /** Options every serve subcommand takes. */
    abstract static class Base implements Callable<Integer> {
        final Cli cli;
        @Mixin DatabaseOptions database;
        @Option(names = "--host", defaultValue = "0.0.0.0", description = "Interface to listen on (default: ${DEFAULT-VALUE}).") String host;
        @Option(names = "--port", defaultValue = "8000", description = "Domain service port; 0 picks a free one (default: ${DEFAULT-VALUE}).") int port;
        @Option(names = "--poll-interval", defaultValue = "5", paramLabel = "SECONDS",
                description = "Processor poll interval; new events are picked up at once anyway (default: ${DEFAULT-VALUE}).") int pollSeconds;
        @Option(names = "--workers", defaultValue = "1", description = "Processor threads; one keeps latency lowest on few cores (default: ${DEFAULT-VALUE}).") int workers;
        @Option(names = "--batch-size", defaultValue = "1000", description = "Events per processing transaction (default: ${DEFAULT-VALUE}).") int batchSize;
        @Option(names = "--no-processor", description = "Do not process events here (run process-events elsewhere).") boolean noProcessor;
        @Option(names = "--ai-port", defaultValue = "8001", description = "AI management service port (default: ${DEFAULT-VALUE}).") int aiPort;
        @Option(names = "--agents-port", defaultValue = "8002", description = "Agents service port (default: ${DEFAULT-VALUE}).") int agentsPort;

        Base(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws InterruptedException {
            long start = System.nanoTime();
            ServeOptions options = new ServeOptions(database.config(cli), database.dataDir(cli), host, port,
                    credentials(), new EventProcessor.Settings(batchSize, Duration.ofSeconds(pollSeconds), workers),
                    !noProcessor, aiPort, AiConfig.fromEnv(cli.env()), cli.env("AI_API_TOKEN"), agentsPort,
                    cli.env("DEMO_DOMAIN_URL"), cli.env("AI_MANAGEMENT_URL"));
            Services services = Services.start(options, kinds(), cli.err());
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                services.close();
                stopped.countDown();
            }, "campaignctl-shutdown"));
            if (kinds().contains(Services.Kind.DOMAIN)) {
                cli.err().printf("domain service listening on http://%s:%d (%s)%n", host, services.domainPort(), options.db());
            }
            if (kinds().contains(Services.Kind.AI)) {
                cli.err().printf("AI management service listening on http://%s:%d (%s)%n", host, services.aiPort(), options.ai());
            }
            if (kinds().contains(Services.Kind.AGENTS)) {
                cli.err().printf("agents service listening on http://%s:%d%n", host, services.agentsPort());
            }
            cli.err().printf("ready in %d ms%n", (System.nanoTime() - start) / 1_000_000);
            cli.err().flush();
            stopped.await();
            return ExitCodes.OK;
        }

        abstract Set<Services.Kind> kinds();

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

        @Override
        Set<Services.Kind> kinds() {
            return EnumSet.of(Services.Kind.DOMAIN);
        }
    }

    @Command(name = "ai", description = "The AI management service (LLM gateway with cache) on port 8001.")
    static final class Ai extends Base {
        Ai(Cli cli) {
            super(cli);
        }

        @Override
        Set<Services.Kind> kinds() {
            return EnumSet.of(Services.Kind.AI);
        }
    }

    @Command(name = "agents", description = {"The agents service on port 8002, alone: it reaches the domain at DEMO_DOMAIN_URL",
            "(credentials API_USERNAME/API_PASSWORD) and the AI service at AI_MANAGEMENT_URL."})
    static final class Agents extends Base {
        Agents(Cli cli) {
            super(cli);
        }

        @Override
        Set<Services.Kind> kinds() {
            return EnumSet.of(Services.Kind.AGENTS);
        }
    }

    @Command(name = "all", description = "Every service in one process: domain (8000), AI management (8001), agents (8002).")
    static final class All extends Base {
        All(Cli cli) {
            super(cli);
        }

        @Override
        Set<Services.Kind> kinds() {
            return EnumSet.allOf(Services.Kind.class);
        }
    }
}
