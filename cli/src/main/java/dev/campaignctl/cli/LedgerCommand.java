package dev.campaignctl.cli;

import dev.campaignctl.core.ledger.VerifyReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code campaignctl ledger verify}: recompute every balance and lot from the entries. */
@Command(name = "ledger", description = "Check the points ledger.", subcommands = {LedgerCommand.Verify.class})
final class LedgerCommand {

    @Command(name = "verify", description = {"Recompute every balance from its entries and every lot from its movements.",
            "Exit 8 naming each mismatch when any is found."})
    static final class Verify implements Callable<Integer> {
        private final Cli cli;
        @Mixin ConnectionOptions connection;
        @Mixin OutputOptions output;

        Verify(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (Session session = Session.open(cli, connection)) {
                VerifyReport report = session.api().verifyLedger();
                Output.print(cli, output, report, "customers", "entries", "lots");
                for (String mismatch : report.mismatches()) {
                    cli.err().println("mismatch: " + mismatch);
                }
                if (!report.clean()) {
                    cli.err().println("error: the ledger has " + report.mismatches().size() + " mismatches");
                    return ExitCodes.LEDGER_MISMATCH;
                }
            }
            return ExitCodes.OK;
        }
    }
}
