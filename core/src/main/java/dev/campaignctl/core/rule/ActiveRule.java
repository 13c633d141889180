package dev.campaignctl.core.rule;

import dev.campaignctl.core.campaign.Campaign;

/** A rule with its compiled condition and its campaign, ready to evaluate events. */
public record ActiveRule(Rule rule, Condition condition, Campaign campaign) {

    public static ActiveRule compile(Rule rule, Campaign campaign) {
        return new ActiveRule(rule, Conditions.compile(rule.conditions()), campaign);
    }
}
