package dev.campaignctl.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code campaignctl earnings list}. */
@Command(name = "earnings", description = "List earnings.", subcommands = EarningsCommand.ListEarnings.class)
final class EarningsCommand {

    @Command(name = "list", description = "List earnings, optionally of one campaign or customer.")
    static final class ListEarnings extends SessionCommand {
        @Option(names = "--campaign", paramLabel = "ID", description = "Only this campaign's earnings.") Long campaign;
        @Option(names = "--customer", paramLabel = "ID", description = "Only this customer's earnings.") String customer;
        @Option(names = "--limit", defaultValue = "100", description = "At most this many (default: ${DEFAULT-VALUE}).") int limit;

        ListEarnings(Cli cli) {
            super(cli);
        }

        @Override
        void execute(Session session) {
            Output.print(cli, output, session.api().listEarnings(campaign, customer, limit),
                    "id", "event_id", "campaign_id", "rule_id", "customer_id", "amount", "created_at");
        }
    }
}
