package dev.campaignctl.cli;

import dev.campaignctl.core.ai.AiApi;
import dev.campaignctl.core.ai.AiConfig;
import dev.campaignctl.core.ai.AiGateway;
import dev.campaignctl.core.ai.GenerateRequest;
import dev.campaignctl.core.ai.LocalAiApi;
import dev.campaignctl.core.ai.keys.KeySpec;
import dev.campaignctl.core.client.HttpAiApi;
import dev.campaignctl.core.client.HttpJson;
import dev.campaignctl.core.config.DataDir;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.server.ServerState;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code campaignctl ai generate|providers|cache}: the LLM gateway, remote or in-process. */
@Command(name = "ai", description = "Generate text through the AI management service; list providers; manage its cache.",
        subcommands = {AiCommand.Generate.class, AiCommand.Providers.class, AiCommand.Cache.class, AiCommand.Keys.class})
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

    /**
     * {@code ai keys create|list|show|revoke|usage}: virtual keys, managed on a running AI service
     * (--ai-url, AI_MANAGEMENT_URL, the profile's ai-url, or a serve on the data directory) with
     * its AI_API_TOKEN. Keys live in the service's database, so there is no in-process mode.
     */
    @Command(name = "keys", description = "Virtual keys of the OpenAI-compatible API: budgets, rate limits, models.",
            subcommands = {Keys.Create.class, Keys.ListKeys.class, Keys.Show.class, Keys.Revoke.class, Keys.Usage.class})
    static final class Keys {

        /** A keys command: the service's admin API over HTTP, with AI_API_TOKEN. */
        abstract static class KeysCall implements Callable<Integer> {
            final Cli cli;
            @Mixin AiOptions ai;
            @Mixin OutputOptions output;
            @Option(names = "--data-dir", paramLabel = "DIR",
                    description = "State directory of the running serve whose AI service holds the keys (env CAMPAIGNCTL_HOME).")
            String dataDir;

            KeysCall(Cli cli) {
                this.cli = cli;
            }

            @Override
            public Integer call() {
                String target = cli.setting(ai.url, "AI_MANAGEMENT_URL", "ai-url");
                if (target == null) {
                    String dir = cli.setting(dataDir, "CAMPAIGNCTL_HOME", "data-dir");
                    target = new ServerState(DataDir.resolve(dir == null ? null : Path.of(dir), cli.env())).aiUrl().orElse(null);
                }
                if (target == null) {
                    throw new ApiException(ErrorKind.UNAVAILABLE, null, "no AI service to manage keys on: keys live in its database;"
                            + " start serve ai --db-url ... (or serve all), or pass --ai-url");
                }
                String token = cli.setting(null, "AI_API_TOKEN", "ai-token");
                return run(new HttpJson(URI.create(target), token == null ? null : "Bearer " + token, cli.trust()));
            }

            abstract int run(HttpJson http);
        }

        @Command(name = "create", description = "Create a key and print it (only this once: it is stored hashed).")
        static final class Create extends KeysCall {
            @Option(names = "--name", required = true, description = "What the key is for.") String name;
            @Option(names = "--budget-tokens", paramLabel = "T", description = "Most tokens the key may spend, in all.") Long budgetTokens;
            @Option(names = "--budget-usd", paramLabel = "D", description = "Most USD the key may spend (needs AI_PRICES for its models).") BigDecimal budgetUsd;
            @Option(names = "--rpm", paramLabel = "R", description = "Most requests per minute.") Integer rpm;
            @Option(names = "--models", split = ",", paramLabel = "M", description = "The only models the key may call (comma-separated).") List<String> models;
            @Option(names = "--expires", paramLabel = "PERIOD", description = "ISO-8601 period from now: P30D, PT12H.") String expires;

            Create(Cli cli) {
                super(cli);
            }

            @Override
            int run(HttpJson http) {
                if (expires != null) {
                    KeySpec.period(expires);
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("name", name);
                body.put("budget_tokens", budgetTokens);
                body.put("budget_usd", budgetUsd);
                body.put("rpm", rpm);
                body.put("models", models);
                body.put("expires", expires);
                body.values().removeIf(Objects::isNull);
                var created = http.send("POST", "/v1/keys", body).body();
                if (Output.structured(cli, output)) {
                    Output.print(cli, output, created);
                } else {
                    cli.out().println(created.get("key").asText());
                    cli.out().flush();
                }
                cli.err().printf("key %d (\"%s\") created; it is shown only now: keep it somewhere safe%n",
                        created.get("id").asLong(), created.get("name").asText());
                return ExitCodes.OK;
            }
        }

        @Command(name = "list", description = "Every key with its budgets and spend (never the secrets).")
        static final class ListKeys extends KeysCall {
            ListKeys(Cli cli) {
                super(cli);
            }

            @Override
            int run(HttpJson http) {
                Output.print(cli, output, http.get("/v1/keys").body(), "id", "name", "prefix", "budget_tokens", "spent_tokens",
                        "reserved_tokens", "budget_usd", "spent_usd", "rpm", "expires_at", "revoked_at");
                return ExitCodes.OK;
            }
        }

        @Command(name = "show", description = "One key.")
        static final class Show extends KeysCall {
            @Parameters(paramLabel = "ID") long id;

            Show(Cli cli) {
                super(cli);
            }

            @Override
            int run(HttpJson http) {
                Output.print(cli, output, http.get("/v1/keys/" + id).body());
                return ExitCodes.OK;
            }
        }

        @Command(name = "revoke", description = "Revoke a key at once, on every replica.")
        static final class Revoke extends KeysCall {
            @Parameters(paramLabel = "ID") long id;

            Revoke(Cli cli) {
                super(cli);
            }

            @Override
            int run(HttpJson http) {
                Output.print(cli, output, http.send("DELETE", "/v1/keys/" + id, null).body());
                return ExitCodes.OK;
            }
        }

        @Command(name = "usage", description = "A key's spend, reservations in flight, and spend per model.")
        static final class Usage extends KeysCall {
            @Parameters(paramLabel = "ID") long id;

            Usage(Cli cli) {
                super(cli);
            }

            @Override
            int run(HttpJson http) {
                Output.print(cli, output, http.get("/v1/keys/" + id + "/usage").body());
                return ExitCodes.OK;
            }
        }
    }
}
