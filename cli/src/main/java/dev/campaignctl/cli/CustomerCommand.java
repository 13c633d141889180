package dev.campaignctl.cli;

import dev.campaignctl.core.idempotency.IdempotencyKey;
import java.math.BigDecimal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code campaignctl customer balance|ledger|redeem|adjust}: a customer's points. */
@Command(name = "customer", description = "A customer's points: balance, ledger, redemptions and adjustments.",
        subcommands = {CustomerCommand.Balance.class, CustomerCommand.Ledger.class, CustomerCommand.Redeem.class,
                CustomerCommand.Adjust.class})
final class CustomerCommand {

    static final String[] BALANCE_COLUMNS = {"customer_id", "available", "earned", "redeemed", "reversed", "expired",
            "adjusted", "negative"};
    static final String[] LEDGER_COLUMNS = {"id", "type", "points", "event_id", "redemption_id", "campaign_id", "reason",
            "created_at"};
    static final String[] REDEMPTION_COLUMNS = {"id", "customer_id", "points", "reason", "reversed", "created_at"};

    @Command(name = "balance", description = "A customer's available points, totals by kind and next expiry.")
    static final class Balance extends SessionCommand {
        @Parameters(paramLabel = "CUSTOMER", description = "customer_id.") String customer;

        Balance(Cli cli) {
            super(cli);
        }

        @Override
        void execute(Session session) {
            Output.print(cli, output, session.api().balance(customer), BALANCE_COLUMNS);
        }
    }

    @Command(name = "ledger", description = "A customer's ledger entries, newest first, with the lots each touched.")
    static final class Ledger extends SessionCommand {
        @Parameters(paramLabel = "CUSTOMER", description = "customer_id.") String customer;
        @Option(names = "--limit", converter = PageLimit.class, defaultValue = "100", description = "Entries per page (default: ${DEFAULT-VALUE}).") int limit;
        @Option(names = "--all", description = "Every page, following the list's next links; rows are printed as they come.") boolean all;

        Ledger(Cli cli) {
            super(cli);
        }

        @Override
        void execute(Session session) {
            PagedOutput.print(cli, output, session.api().ledger(customer, limit, null), all, LEDGER_COLUMNS);
        }
    }

    @Command(name = "redeem", description = "Spend points, from the lots that expire first; refused when the balance is smaller.")
    static final class Redeem extends SessionCommand {
        @Parameters(paramLabel = "CUSTOMER", description = "customer_id.") String customer;
        @Option(names = "--points", required = true, paramLabel = "N", description = "Points to spend.") BigDecimal points;
        @Option(names = "--reason", paramLabel = "TEXT", description = "Why (shown in the ledger).") String reason;
        @Option(names = "--external-id", paramLabel = "ID", description = "Your id for it: the same id never redeems twice.") String externalId;

        Redeem(Cli cli) {
            super(cli);
        }

        @Override
        void execute(Session session) {
            // One key per invocation: a resend after a lost answer never spends twice.
            Output.print(cli, output, session.api().redeem(customer, points, reason, externalId, IdempotencyKey.random()).value(),
                    REDEMPTION_COLUMNS);
        }
    }

    @Command(name = "adjust", description = "Add (or with a negative number take) points by hand, with a reason.")
    static final class Adjust extends SessionCommand {
        @Parameters(paramLabel = "CUSTOMER", description = "customer_id.") String customer;
        @Option(names = "--points", required = true, paramLabel = "N", description = "Points, e.g. 50 or -20.") BigDecimal points;
        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (required; shown in the ledger).") String reason;

        Adjust(Cli cli) {
            super(cli);
        }

        @Override
        void execute(Session session) {
            Output.print(cli, output, session.api().adjust(customer, points, reason).balance(), BALANCE_COLUMNS);
        }
    }
}
