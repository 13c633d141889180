package dev.campaignctl.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.event.Backtest;
import dev.campaignctl.core.event.EventExplanation;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.json.Decimals;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.NewRule;
import dev.campaignctl.core.rule.Reward;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code campaignctl rule add|list}. */
@Command(name = "rule", description = "Add and list the rules of a campaign.",
        subcommands = {RuleCommand.Add.class, RuleCommand.ListRules.class, RuleCommand.Test.class, RuleCommand.BacktestRules.class})
final class RuleCommand {

    static final String[] COLUMNS = {"id", "campaign_id", "name", "priority", "conditions", "reward"};

    @Command(name = "add", description = "Add a rule: when an event matches --when, pay --reward.")
    static final class Add implements Callable<Integer> {
        private final Cli cli;
        @Mixin ConnectionOptions connection;
        @Mixin OutputOptions output;
        @Option(names = "--campaign", required = true, paramLabel = "ID", description = "Campaign id.") long campaign;
        @Option(names = "--name", description = "Rule name.") String name;
        @Option(names = "--priority", defaultValue = "0", description = "Higher is evaluated first (default: ${DEFAULT-VALUE}).") int priority;
        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Rule body as JSON or YAML (as for POST /campaigns/{id}/rules); - for stdin.") String file;
        @Option(names = "--when", paramLabel = "JSON",
                description = "Conditions, e.g. '{\"merchant_id\":\"MERCHANT_001\"}' (required unless -f).") String when;
        @Option(names = "--reward", paramLabel = "TYPE:VALUE",
                description = "fixed:100 (points), percentage:5 (of amount) or per_unit:2 (per currency unit).") String reward;
        @Spec CommandSpec spec;

        Add(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            NewRule rule;
            if (file != null) {
                rule = NewRule.fromJson(Bodies.read(file));
            } else {
                Bodies.require(spec, "--when", when);
                Bodies.require(spec, "--reward", reward);
                rule = new NewRule(name, priority, parse("when", when), Reward.parse(reward));
            }
            try (Session session = Session.open(cli, connection)) {
                Output.print(cli, output, session.api().addRule(campaign, rule), COLUMNS);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "List a campaign's rules, highest priority first.")
    static final class ListRules extends SessionCommand {
        @Option(names = "--campaign", required = true, paramLabel = "ID", description = "Campaign id.") long campaign;
        @Option(names = "--limit", converter = PageLimit.class, defaultValue = "10000", description = "At most this many; with --all, per page (default: ${DEFAULT-VALUE}).") int limit;
        @Option(names = "--all", description = "Every page, following the list's next links; rows are printed as they come.") boolean all;

        ListRules(Cli cli) {
            super(cli);
        }

        @Override
        void execute(Session session) {
            PagedOutput.print(cli, output, session.api().listRules(campaign, limit, null), all, COLUMNS);
        }
    }

    @Command(name = "test", description = "Dry-run the current rules on an event from a file (nothing is stored).")
    static final class Test implements Callable<Integer> {
        private final Cli cli;
        @Mixin ConnectionOptions connection;
        @Mixin OutputOptions output;
        @Option(names = "--event", required = true, paramLabel = "FILE", description = "Event JSON, as for POST /events; - for stdin.") String file;

        Test(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            NewEvent event = NewEvent.fromJson(parse("event", read(file)));
            try (Session session = Session.open(cli, connection)) {
                printExplanation(cli, output, session.api().explainEvent(event));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "backtest", description = {
            "Replay stored events against draft rules and compare with the current rules (nothing is stored).",
            "The draft file is a JSON array of rules, each with campaign_id; they replace that campaign's rules."})
    static final class BacktestRules implements Callable<Integer> {
        private final Cli cli;
        @Mixin ConnectionOptions connection;
        @Mixin OutputOptions output;
        @Option(names = "--rules", required = true, paramLabel = "FILE", description = "Draft rules (JSON array); - for stdin.") String file;
        @Option(names = "--since", defaultValue = "7d", description = "Events since: 7d, 12h, 30m or an ISO-8601 time (default: ${DEFAULT-VALUE}).") String since;
        @Option(names = "--until", description = "Events before this ISO-8601 time (default: now).") String until;
        @Option(names = "--max-changes", defaultValue = "100", description = "Changed events to list (default: ${DEFAULT-VALUE}).") int maxChanges;

        BacktestRules(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.set("rules", parse("rules", read(file)));
            body.put("since", since);
            if (until != null) {
                body.put("until", until);
            }
            body.put("max_changes", maxChanges);
            Backtest.Request request = Backtest.Request.fromJson(body);
            try (Session session = Session.open(cli, connection)) {
                Backtest.Report report = session.api().backtest(request);
                if (Output.structured(cli, output)) {
                    Output.print(cli, output, report);
                } else {
                    cli.out().printf("%d events since %s: current %d processed / %d skipped, draft %d processed / %d skipped;"
                                    + " %d change outcome%n", report.events(), report.since(), report.current().processed(),
                            report.current().skipped(), report.draft().processed(), report.draft().skipped(), report.changed());
                    cli.out().println("points by campaign, current: " + report.current().pointsByCampaign()
                            + "; draft: " + report.draft().pointsByCampaign());
                    if (report.refunds() != null && (report.refunds().refundedPurchases() > 0
                            || report.refunds().refundEvents() > 0)) {
                        cli.out().printf("refunds: %d purchases refunded (amount %s), %d refund events; points net of refunds%n",
                                report.refunds().refundedPurchases(), Decimals.text(report.refunds().refundedAmount()),
                                report.refunds().refundEvents());
                    }
                    Output.print(cli, output, report.changes(), "event_id", "current_rule_id", "draft_rule_id",
                            "current_points", "draft_points");
                }
            }
            return ExitCodes.OK;
        }
    }

    static void printExplanation(Cli cli, OutputOptions output, EventExplanation explanation) {
        if (Output.structured(cli, output)) {
            Output.print(cli, output, explanation);
            return;
        }
        cli.out().println("outcome: " + explanation.outcome().wire()
                + (explanation.matchedRuleId() == null ? "" : " (rule " + explanation.matchedRuleId() + ")")
                + (explanation.storedStatus() == null ? "" : "; stored as " + explanation.storedStatus().wire()));
        Output.print(cli, output, explanation.rules(), "rule_id", "campaign_id", "priority", "conditions_matched",
                "in_window", "pays", "points", "note");
        for (var verdict : explanation.rules()) {
            cli.out().println("rule " + verdict.ruleId() + ": " + Json.write(verdict.explanation()));
        }
        cli.out().flush();
    }

    static String read(String file) {
        try {
            return file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file));
        } catch (IOException e) {
            throw ApiException.invalid(file, "cannot read: " + e.getMessage());
        }
    }

    static JsonNode parse(String option, String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(option, "is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
