package dev.campaignctl.cli;

import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.api.HttpJson;
import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Hidden: the workload the launcher records once into the JVM's ahead-of-time cache (JDK 25+), so
 * later short commands start with picocli, Jackson and the HTTP client already loaded and linked.
 * It touches those parts without needing a server.
 */
@Command(name = "training-run", hidden = true, description = "Exercise start-up paths for the JVM's AOT cache.")
final class TrainingRunCommand implements Callable<Integer> {

    private final Cli cli;

    TrainingRunCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Cli quiet = new Cli(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(), false);
        CommandLine tree = Main.commandLine(quiet);
        render(tree);
        String json = "[{\"id\": 1, \"name\": \"n\", \"status\": \"active\", \"evaluation\": \"first\", \"budget_spent\": 0,"
                + " \"created_at\": \"2024-03-01T00:00:00Z\", \"updated_at\": \"2024-03-01T00:00:00Z\"}]";
        List<Campaign> campaigns = new HttpJson.Response(200, Json.tree(json)).asList(Campaign.class);
        Output.print(quiet, new OutputOptions(), campaigns, CampaignCommand.COLUMNS);
        OutputOptions table = new OutputOptions();
        table.format = OutputOptions.Format.table;
        Output.print(quiet, table, campaigns, CampaignCommand.COLUMNS);
        try {
            new HttpJson(URI.create("http://127.0.0.1:1"), HttpJson.basic("u", "p")).get("/health");
        } catch (ApiException expected) {
            // Nothing listens there: the point was loading the client and its error path.
        }
        cli.err().println("training run done");
        return ExitCodes.OK;
    }

    private static void render(CommandLine line) {
        line.getUsageMessage();
        line.getSubcommands().values().forEach(TrainingRunCommand::render);
    }
}
