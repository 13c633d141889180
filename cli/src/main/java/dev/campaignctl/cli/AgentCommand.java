package dev.campaignctl.cli;

import dev.campaignctl.core.agent.CampaignAgent;
import dev.campaignctl.core.agent.CampaignSpec;
import dev.campaignctl.core.agent.EventAgent;
import dev.campaignctl.core.agent.EventFile;
import dev.campaignctl.core.ai.AiApi;
import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.event.Outcomes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code campaignctl agent batch-events|create-campaign}: the agents, run from this process. */
@Command(name = "agent", description = "Run the agents: register a file of events; create a campaign from a spec.",
        subcommands = {AgentCommand.BatchEvents.class, AgentCommand.CreateCampaign.class})
final class AgentCommand {

    /** The content of {@code file}, or of stdin for {@code -}. */
    static byte[] bytes(String file) {
        try {
            return file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw ApiException.invalid(file, "cannot read: " + e.getMessage());
        }
    }

    @Command(name = "batch-events", description = {
            "Register the events of a JSON array or NDJSON file (- for stdin), concurrently, with retries.",
            "Re-running the same file registers only what is missing: records without an external_id get one from",
            "the file's name, their position and their content. Exit 7 when some records are invalid,",
            "5 when some could not be registered."})
    static final class BatchEvents implements Callable<Integer> {
        private final Cli cli;
        @Mixin ConnectionOptions connection;
        @Mixin OutputOptions output;
        @Parameters(paramLabel = "FILE", description = "Events file: JSON array or NDJSON; - for stdin.") String file;
        @Option(names = "--concurrency", defaultValue = "16", description = "Batches in flight at once (default: ${DEFAULT-VALUE}).") int concurrency;
        @Option(names = "--chunk-size", defaultValue = "1000", description = "Events per batch request (default: ${DEFAULT-VALUE}).") int chunkSize;
        @Option(names = "--wait", description = "Wait until the events are processed and summarise matches and earnings.") boolean await;
        @Option(names = "--max-downtime", defaultValue = "300", paramLabel = "SECONDS",
                description = "Give up when the domain service stays down this long (default: ${DEFAULT-VALUE}).") int maxDowntime;

        BatchEvents(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws Exception {
            // The file's name is its identity for derived keys: moved to another folder it is still
            // the same file; stdin has no name, so its content stands in.
            String name = file.equals("-") ? null : Path.of(file).getFileName().toString();
            // The bytes as they are: decoding first would turn bytes that are not UTF-8 into U+FFFD unseen.
            EventFile events = EventFile.parse(bytes(file), name);
            events.invalid().stream().limit(20).forEach(bad -> cli.err().println("invalid: " + bad));
            if (events.invalid().size() > 20) {
                cli.err().println("invalid: ... and " + (events.invalid().size() - 20) + " more");
            }
            try (Session session = Session.open(cli, connection);
                 AutoCloseable processor = await && session.embedded() ? session.startProcessor() : null) {
                EventAgent.Options options = new EventAgent.Options(concurrency, chunkSize, Duration.ofSeconds(maxDowntime),
                        await, Duration.ofMinutes(30));
                EventAgent.Summary summary = new EventAgent(session.api(), options).run(events, this::progress);
                report(summary);
                if (summary.failed() > 0) {
                    return ExitCodes.UNAVAILABLE;
                }
                return summary.invalid() > 0 || summary.conflicts() > 0 ? ExitCodes.INVALID : ExitCodes.OK;
            }
        }

        private void progress(long done, long total) {
            if (cli.terminal()) {
                int width = 30;
                int filled = total == 0 ? width : (int) (width * done / total);
                cli.err().printf("\r[%s%s] %d/%d", "#".repeat(filled), " ".repeat(width - filled), done, total);
                if (done == total) {
                    cli.err().println();
                }
            } else if (done < total) {
                cli.err().printf("registered %d of %d events%n", done, total);
            }
            cli.err().flush();
        }

        private void report(EventAgent.Summary summary) {
            if (Output.structured(cli, output)) {
                Output.print(cli, output, summary);
            } else {
                cli.out().printf("records %d: registered %d, duplicates %d, invalid %d, conflicts %d, failed %d in %.1f s (%d events/s)%n",
                        summary.records(), summary.registered(), summary.duplicates(), summary.invalid(), summary.conflicts(),
                        summary.failed(), summary.seconds(), summary.eventsPerSecond());
                if (summary.outcomes() != null) {
                    Outcomes o = summary.outcomes();
                    cli.out().printf("processed %d, skipped %d, failed %d, pending %d; %d earnings worth %s points%n",
                            o.processed(), o.skipped(), o.failed(), o.pending(), o.earnings(), o.points().toPlainString());
                }
                summary.failures().forEach(failure -> cli.err().println("failed: " + failure));
                cli.out().flush();
            }
        }
    }

    @Command(name = "create-campaign", description = {
            "Create a campaign and its rules from a YAML or JSON spec, with a description written by the AI service",
            "(a template when it is unavailable). Nothing is created when any part of the spec is invalid."})
    static final class CreateCampaign implements Callable<Integer> {
        private final Cli cli;
        @Mixin ConnectionOptions connection;
        @Mixin OutputOptions output;
        @Mixin AiCommand.AiOptions ai;
        @Parameters(paramLabel = "SPEC", description = "Campaign spec, YAML or JSON; - for stdin.") String file;
        @Option(names = "--dry-run", description = "Show what would be created; create nothing.") boolean dryRun;
        @Option(names = "--no-ai", description = "Use the template description without asking the AI service.") boolean noAi;

        CreateCampaign(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            CampaignSpec spec = CampaignSpec.parse(RuleCommand.read(file).getBytes(StandardCharsets.UTF_8));
            try (Session session = Session.open(cli, connection); AiApi aiApi = noAi ? null : openAi()) {
                CampaignAgent.Result result = new CampaignAgent(session.api(), aiApi).create(spec, dryRun);
                if (result.warning() != null) {
                    cli.err().println("warning: " + result.warning());
                }
                if (Output.structured(cli, output)) {
                    Output.print(cli, output, result);
                } else {
                    cli.out().println((dryRun ? "would create" : "created campaign " + result.campaign().id()) + ": "
                            + (dryRun ? result.planned().name() : result.campaign().name()) + " with " + result.rules().size()
                            + " rule(s)");
                    cli.out().println("description (" + result.descriptionSource() + "): " + result.description());
                    cli.out().flush();
                }
            }
            return ExitCodes.OK;
        }

        private AiApi openAi() {
            try {
                return ai.open(cli, connection.database.dataDir(cli));
            } catch (ApiException e) {
                return null;
            }
        }
    }
}
