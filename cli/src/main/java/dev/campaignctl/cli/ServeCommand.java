package dev.campaignctl.cli;

import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.server.AgentRuns;
import dev.campaignctl.server.AgentsServer;
import dev.campaignctl.server.AiServer;
import dev.campaignctl.server.DomainServer;
import dev.campaignctl.server.ServeOptions;
import dev.campaignctl.server.ServerLimits;
import dev.campaignctl.server.ServerTls;
import dev.campaignctl.server.Services;
import dev.campaignctl.core.ai.AiConfig;
import dev.campaignctl.core.http.Trust;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code campaignctl serve domain|ai|agents|all}: run services in this process until stopped. Each
 * subcommand offers only the options that apply to it; {@code --port} is the port of the service
 * being served. Every service listens on 127.0.0.1 unless {@code --host} says otherwise.
 */
@Command(name = "serve", description = "Run services as embedded HTTP servers until stopped.",
        subcommands = {ServeCommand.Domain.class, ServeCommand.Ai.class, ServeCommand.Agents.class, ServeCommand.All.class})
final class ServeCommand {

    /** Where every service listens, and the certificate it serves HTTPS with. */
    static final class Listen {
        @Option(names = "--host", defaultValue = "127.0.0.1",
                description = "Interface to listen on; 0.0.0.0 for every one (default: ${DEFAULT-VALUE}).") String host;
        @Option(names = "--tls-cert", paramLabel = "FILE",
                description = "Serve HTTPS on every service: PEM certificate chain, the server's certificate first (with --tls-key).")
        Path tlsCert;
        @Option(names = "--tls-key", paramLabel = "FILE",
                description = "PEM PKCS#8 private key (BEGIN PRIVATE KEY, unencrypted) of --tls-cert.")
        Path tlsKey;

        /** The certificate and key read now, or null for plain HTTP; files that cannot be used are a usage error. */
        ServerTls tls() {
            if (tlsCert == null && tlsKey == null) {
                return null;
            }
            if (tlsCert == null || tlsKey == null) {
                throw new UsageException("--tls-cert and --tls-key go together: give both, or neither for plain HTTP");
            }
            try {
                return ServerTls.fromPem(tlsCert, tlsKey);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
    }

    /** How the domain service's background processor runs. */
    static final class Processing {
        @Option(names = "--poll-interval", defaultValue = "5", paramLabel = "SECONDS",
                description = "Processor poll interval; new events are picked up at once anyway (default: ${DEFAULT-VALUE}).") int pollSeconds;
        @Option(names = "--workers", defaultValue = "1", description = "Processor threads; one keeps latency lowest on few cores (default: ${DEFAULT-VALUE}).") int workers;
        @Option(names = "--batch-size", defaultValue = "1000", description = "Events per processing transaction (default: ${DEFAULT-VALUE}).") int batchSize;
        @Option(names = "--no-processor", description = "Do not process events here (run process-events elsewhere).") boolean noProcessor;

        EventProcessor.Settings settings() {
            return new EventProcessor.Settings(batchSize, Duration.ofSeconds(pollSeconds), workers);
        }
    }

    /** The AI service's guard against an open relay. */
    static final class AiGuard {
        @Option(names = "--insecure-no-token",
                description = "Serve the AI service on a non-loopback address without AI_API_TOKEN: anyone who reaches it spends the providers' budget.")
        boolean insecureNoToken;
    }

    /** What every serve subcommand does: start its services, say where they listen, and wait until stopped. */
    abstract static class Base implements Callable<Integer> {
        final Cli cli;
        @Mixin Listen listen;
        @Mixin DatabaseOptions database;
        @Mixin LimitOptions.Server limits;

        Base(Cli cli) {
            this.cli = cli;
        }

        abstract Set<Services.Kind> kinds();

        abstract ServeOptions options();

        @Override
        public Integer call() throws InterruptedException {
            long start = System.nanoTime();
            ServeOptions options = options();
            refuseOpenRelay(options);
            Services services = Services.start(options, kinds(), cli.err());
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                services.close();
                stopped.countDown();
            }, "campaignctl-shutdown"));
            String host = options.host();
            String scheme = options.tls() == null ? "http" : "https";
            if (kinds().contains(Services.Kind.DOMAIN)) {
                cli.err().printf("domain service listening on %s://%s:%d (%s)%n", scheme, host, services.domainPort(), options.db());
            }
            if (kinds().contains(Services.Kind.AI)) {
                cli.err().printf("AI management service listening on %s://%s:%d (%s)%n", scheme, host, services.aiPort(), options.ai());
            }
            if (kinds().contains(Services.Kind.AGENTS)) {
                cli.err().printf("agents service listening on %s://%s:%d%n", scheme, host, services.agentsPort());
            }
            cli.err().printf("ready in %d ms%n", (System.nanoTime() - start) / 1_000_000);
            cli.err().flush();
            stopped.await();
            return ExitCodes.OK;
        }

        boolean insecureNoToken() {
            return false;
        }

        /** The limits of every server; subcommands add those of their services. */
        ServerLimits limits() {
            return limits.apply(cli, ServerLimits.DEFAULTS);
        }

        AgentRuns.Settings agentRuns() {
            return AgentRuns.Settings.DEFAULTS;
        }

        /**
         * The AI service spends the providers' budget for whoever reaches it: on an address other
         * machines can reach it needs AI_API_TOKEN, unless the operator insists.
         */
        private void refuseOpenRelay(ServeOptions options) {
            if (!kinds().contains(Services.Kind.AI) || options.aiToken() != null || isLoopback(options.host())) {
                return;
            }
            if (!insecureNoToken()) {
                throw new UsageException("the AI service on " + options.host() + " needs AI_API_TOKEN set (anyone who can"
                        + " reach it could spend the providers' budget); set it, listen on 127.0.0.1, or pass --insecure-no-token");
            }
            cli.err().println("warning: the AI service listens on " + options.host() + " without AI_API_TOKEN: anyone who"
                    + " reaches it can spend the providers' budget and clear the cache");
        }

        private static boolean isLoopback(String host) {
            try {
                return InetAddress.getByName(host).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }

        ServeOptions options(int domainPort, EventProcessor.Settings processing, boolean runProcessor, int aiPort, int agentsPort) {
            return new ServeOptions(database.config(cli), database.dataDir(cli), listen.host, domainPort,
                    credentials(), processing, runProcessor, aiPort, AiConfig.fromEnv(cli.env()), cli.env("AI_API_TOKEN"),
                    agentsPort, cli.env("DEMO_DOMAIN_URL"), cli.env("AI_MANAGEMENT_URL"), limits(), agentRuns(), listen.tls(),
                    clientTrust());
        }

        /** The CAs the agents service alone trusts for DEMO_DOMAIN_URL and AI_MANAGEMENT_URL; the others call no service. */
        private Trust clientTrust() {
            return kinds().equals(EnumSet.of(Services.Kind.AGENTS)) ? cli.trust() : Trust.JVM;
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
        @Option(names = "--port", defaultValue = "8000", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).") int port;
        @Mixin Processing processing;
        @Mixin LimitOptions.Batch batch;

        Domain(Cli cli) {
            super(cli);
        }

        @Override
        ServerLimits limits() {
            return batch.apply(cli, super.limits());
        }

        @Override
        Set<Services.Kind> kinds() {
            return EnumSet.of(Services.Kind.DOMAIN);
        }

        @Override
        ServeOptions options() {
            return options(port, processing.settings(), !processing.noProcessor, AiServer.DEFAULT_PORT, AgentsServer.DEFAULT_PORT);
        }
    }

    @Command(name = "ai", description = "The AI management service (LLM gateway with cache) on port 8001.")
    static final class Ai extends Base {
        @Option(names = {"--port", "--ai-port"}, defaultValue = "8001", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).") int port;
        @Mixin AiGuard guard;

        Ai(Cli cli) {
            super(cli);
        }

        @Override
        Set<Services.Kind> kinds() {
            return EnumSet.of(Services.Kind.AI);
        }

        @Override
        boolean insecureNoToken() {
            return guard.insecureNoToken;
        }

        @Override
        ServeOptions options() {
            return options(DomainServer.DEFAULT_PORT, EventProcessor.Settings.defaults(), false, port, AgentsServer.DEFAULT_PORT);
        }
    }

    @Command(name = "agents", description = {"The agents service on port 8002, alone: it reaches the domain at DEMO_DOMAIN_URL",
            "(credentials API_USERNAME/API_PASSWORD) and the AI service at AI_MANAGEMENT_URL."})
    static final class Agents extends Base {
        @Option(names = {"--port", "--agents-port"}, defaultValue = "8002", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).") int port;
        @Mixin LimitOptions.Agents agents;

        Agents(Cli cli) {
            super(cli);
        }

        @Override
        ServerLimits limits() {
            return agents.apply(cli, super.limits());
        }

        @Override
        AgentRuns.Settings agentRuns() {
            return agents.runs(cli);
        }

        @Override
        Set<Services.Kind> kinds() {
            return EnumSet.of(Services.Kind.AGENTS);
        }

        @Override
        ServeOptions options() {
            return options(DomainServer.DEFAULT_PORT, EventProcessor.Settings.defaults(), false, AiServer.DEFAULT_PORT, port);
        }
    }

    @Command(name = "all", description = "Every service in one process: domain (8000), AI management (8001), agents (8002).")
    static final class All extends Base {
        @Option(names = "--port", defaultValue = "8000", description = "Domain service port; 0 picks a free one (default: ${DEFAULT-VALUE}).") int port;
        @Option(names = "--ai-port", defaultValue = "8001", description = "AI management service port (default: ${DEFAULT-VALUE}).") int aiPort;
        @Option(names = "--agents-port", defaultValue = "8002", description = "Agents service port (default: ${DEFAULT-VALUE}).") int agentsPort;
        @Mixin Processing processing;
        @Mixin AiGuard guard;
        @Mixin LimitOptions.Batch batch;
        @Mixin LimitOptions.Agents agents;

        All(Cli cli) {
            super(cli);
        }

        @Override
        ServerLimits limits() {
            return agents.apply(cli, batch.apply(cli, super.limits()));
        }

        @Override
        AgentRuns.Settings agentRuns() {
            return agents.runs(cli);
        }

        @Override
        Set<Services.Kind> kinds() {
            return EnumSet.allOf(Services.Kind.class);
        }

        @Override
        boolean insecureNoToken() {
            return guard.insecureNoToken;
        }

        @Override
        ServeOptions options() {
            return options(port, processing.settings(), !processing.noProcessor, aiPort, agentsPort);
        }
    }
}
