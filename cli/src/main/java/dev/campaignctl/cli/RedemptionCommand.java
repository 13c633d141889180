package dev.campaignctl.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code campaignctl redemption reverse}: cancel a redemption. */
@Command(name = "redemption", description = "Cancel redemptions.", subcommands = {RedemptionCommand.Reverse.class})
final class RedemptionCommand {

    @Command(name = "reverse", description = "Cancel a redemption: its points go back to the lots they came from. Repeating it changes nothing.")
    static final class Reverse extends SessionCommand {
        @Parameters(paramLabel = "ID", description = "Redemption id.") long id;

        Reverse(Cli cli) {
            super(cli);
        }

        @Override
        void execute(Session session) {
            Output.print(cli, output, session.api().reverseRedemption(id), CustomerCommand.REDEMPTION_COLUMNS);
        }
    }
}
