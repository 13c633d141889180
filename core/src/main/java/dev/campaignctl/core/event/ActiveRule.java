package dev.campaignctl.core.event;

import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.rule.Condition;
import dev.campaignctl.core.rule.Conditions;
import dev.campaignctl.core.rule.Rule;

/** A rule with its compiled condition and its campaign, ready to evaluate events. */
public record ActiveRule(Rule rule, Condition condition, Campaign campaign) {

    public static ActiveRule compile(Rule rule, Campaign campaign) {
        return new ActiveRule(rule, Conditions.compile(rule.conditions()), campaign);
    }
}
