package dev.campaignctl.core.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.campaignctl.core.ai.AiApi;
import dev.campaignctl.core.ai.GenerateRequest;
import dev.campaignctl.core.api.DomainApi;
import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.campaign.NewCampaign;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.json.Decimals;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.NewRule;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Creates a campaign and its rules from a {@link CampaignSpec}, with a description written by the
 * AI service; when the AI service is down or unconfigured the description comes from a template
 * and the result says so. Campaign and rules are created in one transaction.
 */
public final class CampaignAgent {

    /** What was (or, on a dry run, would be) created, and where the description came from. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Result(boolean dryRun, Campaign campaign, NewCampaign planned, List<NewRule> rules,
                         String description, String descriptionSource, String warning) {
    }

    private final DomainApi domain;
    private final AiApi ai;

    /** @param ai the AI service, or null when none is reachable (the template is used) */
    public CampaignAgent(DomainApi domain, AiApi ai) {
        this.domain = domain;
        this.ai = ai;
    }

    public Result create(CampaignSpec spec, boolean dryRun) {
        NewCampaign planned = spec.campaign();
        String source = "spec";
        String warning = null;
        String description = planned.description();
        if (!spec.hasDescription()) {
            try {
                if (ai == null) {
                    throw new ApiException(ErrorKind.UNAVAILABLE, null, "no AI service configured");
                }
                description = ai.generate(new GenerateRequest(prompt(spec), null, null, 200, 0.7, true)).text().strip();
                source = "ai";
            } catch (ApiException e) {
                description = template(spec);
                source = "template";
                warning = "AI service unavailable (" + e.oneLine() + "); used the template description";
            }
        }
        NewCampaign withDescription = new NewCampaign(planned.name(), description, planned.status(), planned.startsAt(),
                planned.endsAt(), planned.evaluation(), planned.budgetTotal(), planned.customerCap());
        Campaign created = dryRun ? null : domain.createCampaign(withDescription, spec.rules());
        return new Result(dryRun, created, dryRun ? withDescription : null, spec.rules(), description, source, warning);
    }

    static String prompt(CampaignSpec spec) {
        NewCampaign c = spec.campaign();
        return "Write a short, upbeat description (at most 60 words) of a loyalty campaign named \"" + c.name()
                + "\". It runs " + window(c) + ". Customers earn " + rewards(spec.rules()) + "."
                + (spec.descriptionPrompt() == null ? "" : " " + spec.descriptionPrompt());
    }

    static String template(CampaignSpec spec) {
        return spec.campaign().name() + ": earn " + rewards(spec.rules()) + ". Runs " + window(spec.campaign()) + ".";
    }

    private static String window(NewCampaign c) {
        if (c.startsAt() == null && c.endsAt() == null) {
            return "until further notice";
        }
        return (c.startsAt() == null ? "now" : "from " + c.startsAt()) + (c.endsAt() == null ? "" : " until " + c.endsAt());
    }

    private static String rewards(List<NewRule> rules) {
        if (rules.isEmpty()) {
            return "rewards to be announced";
        }
        return rules.stream().map(rule -> {
            String value = Decimals.text(rule.reward().value());
            String reward = switch (rule.reward().type()) {
                case FIXED -> value + " points";
                case PERCENTAGE -> value + "% back in points";
                case PER_UNIT -> value + " points per unit spent";
            };
            return reward + " when " + Json.write(rule.conditions());
        }).collect(Collectors.joining("; "));
    }
}
