package dev.campaignctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.event.Event;
import dev.campaignctl.core.event.EventStatus;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.idempotency.Created;
import dev.campaignctl.core.idempotency.IdempotencyKey;
import java.math.BigDecimal;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code campaignctl event register|get|list}. */
@Command(name = "event", description = "Register transaction events and look at their outcome.",
        subcommands = {EventCommand.Register.class, EventCommand.Get.class, EventCommand.ListEvents.class,
                EventCommand.Explain.class, EventCommand.RefundEvent.class})
final class EventCommand {

    static final String[] COLUMNS = {"id", "external_id", "customer_id", "merchant_id", "amount", "status",
            "matched_rule_id", "occurred_at"};

    @Command(name = "register", description = {
            "Register an event. It is stored as pending and decided by the processor.",
            "In embedded mode (no server) it is decided right away in this process, unless --no-process."})
    static final class Register implements Callable<Integer> {
        private final Cli cli;
        @Mixin ConnectionOptions connection;
        @Mixin OutputOptions output;
        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Event body as JSON or YAML (as for POST /events); - for stdin.") String file;
        @Option(names = "--amount", description = "Transaction amount, e.g. 150.00 (required unless -f).") BigDecimal amount;
        @Option(names = "--merchant", description = "merchant_id.") String merchant;
        @Option(names = "--customer", description = "customer_id.") String customer;
        @Option(names = "--currency", description = "ISO 4217 code, e.g. EUR.") String currency;
        @Option(names = "--occurred-at", paramLabel = "TIME", description = "ISO-8601 time (default: now).") String occurredAt;
        @Option(names = "--external-id", paramLabel = "ID", description = "Idempotency key: the same id never makes a second event.") String externalId;
        @Option(names = "--data", paramLabel = "JSON", description = "transaction_data object, e.g. '{\"items\":[{\"category\":\"shoes\"}]}'.") String data;
        @Option(names = "--no-process", description = "Embedded mode: leave the event pending.") boolean noProcess;
        @Spec CommandSpec spec;

        Register(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            NewEvent event;
            if (file != null) {
                event = NewEvent.fromJson(Bodies.read(file));
            } else {
                Bodies.require(spec, "--amount", amount);
                event = new NewEvent(externalId, customer, merchant, amount, currency,
                        CampaignCommand.time("occurred-at", occurredAt), transactionData());
            }
            // One key per invocation: a retry of this request (HttpDomainApi resends one whose answer
            // was lost) is recognised by the service and never stores a second event.
            IdempotencyKey key = IdempotencyKey.random();
            try (Session session = Session.open(cli, connection)) {
                Created<Event> registration = session.api().registerEvent(event, key);
                Event result = registration.value();
                if (registration.existing()) {
                    cli.err().println("event with external_id " + result.externalId() + " already registered as " + result.id());
                } else if (session.embedded() && !noProcess) {
                    session.processPending();
                    result = session.api().getEvent(result.id());
                }
                Output.print(cli, output, result, COLUMNS);
            }
            return ExitCodes.OK;
        }

        private ObjectNode transactionData() {
            if (data == null) {
                return null;
            }
            JsonNode node = RuleCommand.parse("data", data);
            if (!node.isObject()) {
                throw ApiException.invalid("data", "must be a JSON object");
            }
            return (ObjectNode) node;
        }
    }

    @Command(name = "get", description = "Show an event: status, matched rule and earnings.")
    static final class Get extends SessionCommand {
        @Parameters(paramLabel = "ID", description = "Event id.") long id;

        Get(Cli cli) {
            super(cli);
        }

        @Override
        void execute(Session session) {
            Output.print(cli, output, session.api().getEvent(id), COLUMNS);
        }
    }

    @Command(name = "explain", description = "Why a stored event earned or not: every rule, every condition, caps and windows.")
    static final class Explain extends SessionCommand {
        @Parameters(paramLabel = "ID", description = "Event id.") long id;

        Explain(Cli cli) {
            super(cli);
        }

        @Override
        void execute(Session session) {
            RuleCommand.printExplanation(cli, output, session.api().explainEvent(id));
        }
    }

    @Command(name = "refund", description = {"Refund a purchase (all that is left without --amount): its earnings are reversed",
            "in proportion, budget and cap usage given back; before processing, the processor pays only the rest."})
    static final class RefundEvent extends SessionCommand {
        @Parameters(paramLabel = "ID", description = "Event id.") long id;
        @Option(names = "--amount", description = "Amount refunded, e.g. 20.00 (default: all that is left).") BigDecimal amount;
        @Option(names = "--reason", paramLabel = "TEXT", description = "Why (shown in the ledger).") String reason;

        RefundEvent(Cli cli) {
            super(cli);
        }

        @Override
        void execute(Session session) {
            Output.print(cli, output, session.api().refund(id, amount, reason, IdempotencyKey.random()).value(),
                    "refund_id", "event_id", "amount", "reversed_points");
        }
    }

    @Command(name = "list", description = "List events, newest first.")
    static final class ListEvents extends SessionCommand {
        @Option(names = "--status", paramLabel = "STATUS", converter = Choices.EventStatuses.class, completionCandidates = Choices.EventStatuses.class,
                description = "Only events in this status: ${COMPLETION-CANDIDATES}.") EventStatus status;
        @Option(names = "--limit", converter = PageLimit.class, defaultValue = "100", description = "At most this many; with --all, per page (default: ${DEFAULT-VALUE}).") int limit;
        @Option(names = "--all", description = "Every page, following the list's next links; rows are printed as they come.") boolean all;

        ListEvents(Cli cli) {
            super(cli);
        }

        @Override
        void execute(Session session) {
            PagedOutput.print(cli, output, session.api().listEvents(status, limit, null), all, COLUMNS);
        }
    }
}
