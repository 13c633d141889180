package dev.campaignctl.cli;

import dev.campaignctl.core.ai.AiApi;
import dev.campaignctl.core.ai.AiConfig;
import dev.campaignctl.core.ai.AiGateway;
import dev.campaignctl.core.ai.GenerateRequest;
import dev.campaignctl.core.ai.HttpAiApi;
import dev.campaignctl.core.ai.LocalAiApi;
import dev.campaignctl.core.config.DataDir;
import dev.campaignctl.server.ServerState;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code campaignctl ai generate|providers|cache}: the LLM gateway, remote or in-process. */
@Command(name = "ai", description = "Generate text through the AI management service; list providers; manage its cache.",
        subcommands = {AiCommand.Generate.class, AiCommand.Providers.class, AiCommand.Cache.class})
final class AiCommand {

    /** The LLM providers the gateway knows. */
    enum Provider {
        OPENAI, ANTHROPIC;

        /** The name the gateway knows it by. */
        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How to reach the AI service: --ai-url / AI_MANAGEMENT_URL, a running serve, or in-process. */
    static final class AiOptions {
        @Option(names = "--ai-url", paramLabel = "URL", description = "AI management service URL (env AI_MANAGEMENT_URL).")
        String url;

        AiApi open(Cli cli) {
            String dir = cli.setting(null, "CAMPAIGNCTL_HOME", "data-dir");
            return open(cli, DataDir.resolve(dir == null ? null : Path.of(dir), cli.env()));
        }

        /** @param dataDir where a running serve would have left its address */
        AiApi open(Cli cli, Path dataDir) {
            String target = cli.setting(url, "AI_MANAGEMENT_URL", "ai-url");
            if (target == null) {
                target = new ServerState(dataDir).aiUrl().orElse(null);
            }
            if (target != null) {
                return new HttpAiApi(URI.create(target), cli.setting(null, "AI_API_TOKEN", "ai-token"), cli.trust());
            }
            return new LocalAiApi(AiGateway.fromConfig(AiConfig.fromEnv(cli.env())), true);
        }
    }

    /** An AI command: the gateway opened for the call (a service or in-process) and closed after it. */
    abstract static class AiCall implements Callable<Integer> {
        final Cli cli;
        @Mixin AiOptions ai;
        @Mixin OutputOptions output;

        AiCall(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (AiApi api = ai.open(cli)) {
                return run(api);
            }
        }

        /** Does the work and prints; returns the exit code. */
        abstract int run(AiApi api);
    }

    @Command(name = "generate", description = "Generate text for a prompt (cached answers are reused unless --no-cache).")
    static final class Generate implements Callable<Integer> {
        private final Cli cli;
        @Mixin AiOptions ai;
        @Mixin OutputOptions output;
        @Parameters(paramLabel = "PROMPT", description = "The prompt.") String prompt;
        @Option(names = "--provider", paramLabel = "PROVIDER", converter = Choices.AiProviders.class, completionCandidates = Choices.AiProviders.class,
                description = "${COMPLETION-CANDIDATES} (default: the first configured).") Provider provider;
        @Option(names = "--model", description = "Model (default: OPENAI_MODEL / ANTHROPIC_MODEL).") String model;
        @Option(names = "--max-tokens", description = "Most tokens to generate (default: 1000).") Integer maxTokens;
        @Option(names = "--temperature", description = "0 to 2 (default: 0.7).") Double temperature;
        @Option(names = "--no-cache", description = "Ask the provider even if an answer is cached.") boolean noCache;

        Generate(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            GenerateRequest request = new GenerateRequest(prompt, provider == null ? null : provider.id(), model, maxTokens, temperature, noCache ? false : null);
            try (AiApi api = ai.open(cli)) {
                var answer = api.generate(request);
                if (Output.structured(cli, output)) {
                    Output.print(cli, output, answer);
                } else {
                    cli.out().println(answer.text());
                    cli.out().flush();
                    cli.err().printf("%s %s, %d tokens (%d in, %d out)%s%n", answer.provider(), answer.model(),
                            answer.tokenCount(), answer.inputTokens(), answer.outputTokens(), answer.cached() ? ", cached" : "");
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "providers", description = "List the providers, whether each is configured, and its default model.")
    static final class Providers extends AiCall {

        Providers(Cli cli) {
            super(cli);
        }

        @Override
        int run(AiApi api) {
            Output.print(cli, output, api.providers(), "name", "configured", "default_model", "key_variable", "circuit");
            return ExitCodes.OK;
        }
    }

    @Command(name = "cache", description = "The response cache.", subcommands = {Cache.Clear.class, Cache.Health.class})
    static final class Cache {

        @Command(name = "clear", description = "Remove every cached answer.")
        static final class Clear extends AiCall {

            Clear(Cli cli) {
                super(cli);
            }

            @Override
            int run(AiApi api) {
                Output.print(cli, output, Map.of("status", "cleared", "removed", api.clearCache()));
                return ExitCodes.OK;
            }
        }

        @Command(name = "health", description = "Whether the cache (Redis or in-process) answers; exit 5 when degraded.")
        static final class Health extends AiCall {

            Health(Cli cli) {
                super(cli);
            }

            @Override
            int run(AiApi api) {
                var health = api.cacheHealth();
                Output.print(cli, output, health);
                return health.ok() ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
            }
        }
    }
}
