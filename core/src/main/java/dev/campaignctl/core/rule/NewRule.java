package dev.campaignctl.core.rule;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Fields;

/** A rule to add to a campaign; its conditions are compiled on construction, so a bad rule never gets stored. */
public record NewRule(String name, int priority, JsonNode conditions, Reward reward) {

    public static final int MAX_PRIORITY = 1_000_000;

    public NewRule {
        if (name != null && name.length() > 200) {
            throw ApiException.invalid("name", "must be at most 200 characters");
        }
        if (Math.abs(priority) > MAX_PRIORITY) {
            throw ApiException.invalid("priority", "must be between -1000000 and 1000000");
        }
        Conditions.compile(conditions);
        if (conditions != null) {
            // Stored as jsonb and read back as decimals: no NUL, no unpaired surrogate, no 1e999999999.
            Fields.storableTree("conditions", conditions);
        }
        if (reward == null) {
            throw ApiException.invalid("reward", "is required");
        }
        reward.checkFitsEarnings();
    }

    public static NewRule fromJson(JsonNode body) {
        Fields.object(body, "rule");
        Integer priority = Fields.integer(body, "priority");
        return new NewRule(
                Fields.text(body, "name", false, 200),
                priority == null ? 0 : priority,
                body.get("conditions"),
                Reward.fromJson(body.get("reward")));
    }
}
