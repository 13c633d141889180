package dev.campaignctl.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code campaignctl earnings list}. */
@Command(name = "earnings", description = "List earnings.", subcommands = EarningsCommand.ListEarnings.class)
final class EarningsCommand {

    @Command(name = "list", description = "List earnings by id, optionally of one campaign or customer.")
    static final class ListEarnings extends SessionCommand {
        @Option(names = "--campaign", paramLabel = "ID", description = "Only this campaign's earnings.") Long campaign;
        @Option(names = "--customer", paramLabel = "ID", description = "Only this customer's earnings.") String customer;
        @Option(names = "--limit", converter = PageLimit.class, defaultValue = "100", description = "At most this many; with --all, per page (default: ${DEFAULT-VALUE}).") int limit;
        @Option(names = "--all", description = "Every page, following the list's next links; rows are printed as they come.") boolean all;

        ListEarnings(Cli cli) {
            super(cli);
        }

        @Override
        void execute(Session session) {
            PagedOutput.print(cli, output, session.api().listEarnings(campaign, customer, limit, null), all,
                    "id", "event_id", "campaign_id", "rule_id", "customer_id", "amount", "created_at");
        }
    }
}
