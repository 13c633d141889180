package dev.campaignctl.cli;

import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.campaign.CampaignPatch;
import dev.campaignctl.core.campaign.CampaignStatus;
import dev.campaignctl.core.campaign.EvaluationMode;
import dev.campaignctl.core.campaign.NewCampaign;
import dev.campaignctl.core.json.Fields;
import java.math.BigDecimal;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code campaignctl campaign create|list|get|update|activate|pause|end}. */
@Command(name = "campaign", description = "Create, list, show and change campaigns.",
        subcommands = {
                CampaignCommand.Create.class, CampaignCommand.ListCampaigns.class, CampaignCommand.Get.class,
                CampaignCommand.Update.class, CampaignCommand.Activate.class, CampaignCommand.Pause.class,
                CampaignCommand.End.class
        })
final class CampaignCommand {

    static final String[] COLUMNS = {"id", "name", "status", "evaluation", "budget_total", "budget_spent", "customer_cap",
            "starts_at", "ends_at"};

    /** Shared by the commands that print campaigns. */
    abstract static class Base extends SessionCommand {
        Base(Cli cli) {
            super(cli);
        }

        @Override
        final void execute(Session session) {
            Output.print(cli, output, run(session), COLUMNS);
        }

        /** The campaign or campaigns to print. */
        abstract Object run(Session session);
    }

    @Command(name = "create", description = "Create a campaign (active unless --status says otherwise).")
    static final class Create extends Base {
        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Campaign body as JSON or YAML (as for POST /campaigns); - for stdin.") String file;
        @Option(names = "--name", description = "Campaign name (required unless -f).") String name;
        @Option(names = "--description", description = "Free text.") String description;
        @Option(names = "--status", paramLabel = "STATUS", converter = Choices.CampaignStatuses.class, completionCandidates = Choices.CampaignStatuses.class,
                description = "${COMPLETION-CANDIDATES} (default: active).") CampaignStatus status;
        @Option(names = "--starts-at", paramLabel = "TIME", description = "ISO-8601 start, e.g. 2024-03-01T00:00:00Z.") String startsAt;
        @Option(names = "--ends-at", paramLabel = "TIME", description = "ISO-8601 end.") String endsAt;
        @Option(names = "--evaluation", paramLabel = "MODE", converter = Choices.EvaluationModes.class, completionCandidates = Choices.EvaluationModes.class,
                description = "${COMPLETION-CANDIDATES}: the highest-priority matching rule pays (default), or all that match.")
        EvaluationMode evaluation;
        @Option(names = "--budget", paramLabel = "POINTS", description = "Total points the campaign may pay.") BigDecimal budget;
        @Option(names = "--customer-cap", paramLabel = "POINTS", description = "Points one customer may earn from the campaign.") BigDecimal customerCap;
        @Option(names = "--points-valid-for", paramLabel = "DURATION", description = "How long earned points last, ISO-8601 (P365D, P1Y); default: for ever.") String pointsValidFor;

        Create(Cli cli) {
            super(cli);
        }

        @Override
        void checkArguments() {
            if (file == null) {
                Bodies.require(spec, "--name", name);
            }
        }

        @Override
        Object run(Session session) {
            if (file != null) {
                return session.api().createCampaign(NewCampaign.fromJson(Bodies.read(file)));
            }
            return session.api().createCampaign(new NewCampaign(name, description, status,
                    time("starts-at", startsAt), time("ends-at", endsAt), evaluation, budget, customerCap, pointsValidFor));
        }
    }

    @Command(name = "list", description = "List campaigns.")
    static final class ListCampaigns extends SessionCommand {
        @Option(names = "--status", paramLabel = "STATUS", converter = Choices.CampaignStatuses.class, completionCandidates = Choices.CampaignStatuses.class,
                description = "Only campaigns in this status: ${COMPLETION-CANDIDATES}.") CampaignStatus status;
        @Option(names = "--limit", converter = PageLimit.class, defaultValue = "100", description = "At most this many; with --all, per page (default: ${DEFAULT-VALUE}).") int limit;
        @Option(names = "--all", description = "Every page, following the list's next links; rows are printed as they come.") boolean all;

        ListCampaigns(Cli cli) {
            super(cli);
        }

        @Override
        void execute(Session session) {
            PagedOutput.print(cli, output, session.api().listCampaigns(status, limit, null), all, COLUMNS);
        }
    }

    @Command(name = "get", description = "Show one campaign.")
    static final class Get extends Base {
        @Parameters(paramLabel = "ID", description = "Campaign id.") long id;

        Get(Cli cli) {
            super(cli);
        }

        @Override
        Object run(Session session) {
            return session.api().getCampaign(id);
        }
    }

    @Command(name = "update", description = "Change a campaign's name, description, status or window.")
    static final class Update extends Base {
        @Parameters(paramLabel = "ID", description = "Campaign id.") long id;
        @Option(names = "--name", description = "New name.") String name;
        @Option(names = "--description", description = "New description.") String description;
        @Option(names = "--status", paramLabel = "STATUS", converter = Choices.CampaignStatuses.class, completionCandidates = Choices.CampaignStatuses.class,
                description = "${COMPLETION-CANDIDATES}.") CampaignStatus status;
        @Option(names = "--starts-at", paramLabel = "TIME", description = "New ISO-8601 start.") String startsAt;
        @Option(names = "--ends-at", paramLabel = "TIME", description = "New ISO-8601 end.") String endsAt;
        @Option(names = "--evaluation", paramLabel = "MODE", converter = Choices.EvaluationModes.class, completionCandidates = Choices.EvaluationModes.class,
                description = "${COMPLETION-CANDIDATES}.") EvaluationMode evaluation;
        @Option(names = "--budget", paramLabel = "POINTS", description = "Total points the campaign may pay.") BigDecimal budget;
        @Option(names = "--customer-cap", paramLabel = "POINTS", description = "Points one customer may earn.") BigDecimal customerCap;
        @Option(names = "--points-valid-for", paramLabel = "DURATION", description = "How long points earned from now on last, ISO-8601 (P365D).") String pointsValidFor;

        Update(Cli cli) {
            super(cli);
        }

        @Override
        Object run(Session session) {
            return session.api().updateCampaign(id, new CampaignPatch(name, description, status,
                    time("starts-at", startsAt), time("ends-at", endsAt), evaluation, budget, customerCap, pointsValidFor));
        }
    }

    /** A status change by name: activate, pause, end. */
    abstract static class Transition extends Base {
        @Parameters(paramLabel = "ID", description = "Campaign id.") long id;
        private final CampaignStatus target;

        Transition(Cli cli, CampaignStatus target) {
            super(cli);
            this.target = target;
        }

        @Override
        Object run(Session session) {
            Campaign campaign = session.api().updateCampaign(id, CampaignPatch.status(target));
            cli.err().println("campaign " + id + " is " + campaign.status().wire());
            return campaign;
        }
    }

    @Command(name = "activate", description = "Set a campaign active: its rules start earning.")
    static final class Activate extends Transition {
        Activate(Cli cli) {
            super(cli, CampaignStatus.ACTIVE);
        }
    }

    @Command(name = "pause", description = "Pause a campaign: its rules stop earning until activated.")
    static final class Pause extends Transition {
        Pause(Cli cli) {
            super(cli, CampaignStatus.PAUSED);
        }
    }

    @Command(name = "end", description = "End a campaign for good.")
    static final class End extends Transition {
        End(Cli cli) {
            super(cli, CampaignStatus.ENDED);
        }
    }

    static Instant time(String option, String text) {
        return text == null ? null : Fields.parseInstant(option, text);
    }
}
