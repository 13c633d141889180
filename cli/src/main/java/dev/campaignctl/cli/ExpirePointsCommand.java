package dev.campaignctl.cli;

import java.time.Instant;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code campaignctl expire-points}: expiry for cron (serve does it in the background too). */
@Command(name = "expire-points", description = {"Turn every lot past its expiry into expire entries (serve does this every 30 s).",
        "Running it twice expires nothing more."})
final class ExpirePointsCommand extends SessionCommand {
    @Option(names = "--now", paramLabel = "TIME", description = "Expire as of this ISO-8601 time instead of now.") String now;

    ExpirePointsCommand(Cli cli) {
        super(cli);
    }

    @Override
    void execute(Session session) {
        Instant at = now == null ? Instant.now() : CampaignCommand.time("now", now);
        int customers = session.api().expirePoints(at);
        Output.print(cli, output, Map.of("customers", customers, "as_of", at.toString()), "customers", "as_of");
    }
}
