package dev.campaignctl.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.NewRule;
import dev.campaignctl.core.rule.Reward;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code campaignctl rule add|list}. */
@Command(name = "rule", description = "Add and list the rules of a campaign.",
        subcommands = {RuleCommand.Add.class, RuleCommand.ListRules.class})
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
        @Option(names = "--when", required = true, paramLabel = "JSON",
                description = "Conditions, e.g. '{\"merchant_id\":\"MERCHANT_001\"}'.") String when;
        @Option(names = "--reward", required = true, paramLabel = "TYPE:VALUE",
                description = "fixed:100 (points), percentage:5 (of amount) or per_unit:2 (per currency unit).") String reward;

        Add(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            NewRule rule = new NewRule(name, priority, parse("when", when), Reward.parse(reward));
            try (Session session = Session.open(cli, connection)) {
                Output.print(cli, output, session.api().addRule(campaign, rule), COLUMNS);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "List a campaign's rules, highest priority first.")
    static final class ListRules implements Callable<Integer> {
        private final Cli cli;
        @Mixin ConnectionOptions connection;
        @Mixin OutputOptions output;
        @Option(names = "--campaign", required = true, paramLabel = "ID", description = "Campaign id.") long campaign;

        ListRules(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (Session session = Session.open(cli, connection)) {
                Output.print(cli, output, session.api().listRules(campaign), COLUMNS);
            }
            return ExitCodes.OK;
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
