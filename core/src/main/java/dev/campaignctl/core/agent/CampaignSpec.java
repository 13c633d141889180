package dev.campaignctl.core.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.campaign.NewCampaign;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.NewRule;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A campaign to create with its rules, from YAML or JSON (JSON is YAML too):
 *
 * <pre>
 * name: Spring Sale 2024
 * starts_at: 2024-03-01T00:00:00Z
 * budget_total: 50000
 * description_prompt: Mention the new shoe line.   # optional: guidance for the AI
 * rules:
 *   - name: big baskets
 *     priority: 10
 *     conditions: {amount: {$gte: 100}}
 *     reward: {type: percentage, value: 5}
 * </pre>
 *
 * Everything is validated before anything is created; errors name the place
 * ({@code rules[1].conditions.amount.$gtx: unknown operator}).
 */
public record CampaignSpec(NewCampaign campaign, List<NewRule> rules, boolean hasDescription, String descriptionPrompt) {

    public static CampaignSpec parse(byte[] content) {
        JsonNode tree;
        try {
            tree = Json.treeFromYaml(content);
        } catch (IOException e) {
            throw ApiException.invalid(null, "the spec is not valid YAML or JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        return of(tree);
    }

    /** A spec already read, from JSON or YAML. */
    public static CampaignSpec of(JsonNode tree) {
        if (tree == null || !tree.isObject()) {
            throw ApiException.invalid(null, "the spec must be an object with name and rules");
        }
        ObjectNode body = ((ObjectNode) tree).deepCopy();
        // YAML reads bare timestamps as strings already; dates without a time are refused by the campaign checks.
        JsonNode rules = body.remove("rules");
        JsonNode prompt = body.remove("description_prompt");
        boolean hasDescription = body.hasNonNull("description");
        NewCampaign campaign = NewCampaign.fromJson(body);
        List<NewRule> parsed = new ArrayList<>();
        if (rules != null && !rules.isNull()) {
            if (!rules.isArray()) {
                throw ApiException.invalid("rules", "must be a list of rules");
            }
            for (int i = 0; i < rules.size(); i++) {
                try {
                    parsed.add(NewRule.fromJson(rules.get(i)));
                } catch (ApiException e) {
                    throw ApiException.invalid("rules[" + i + "]" + (e.field() == null ? "" : "." + e.field()), e.getMessage());
                }
            }
        }
        return new CampaignSpec(campaign, List.copyOf(parsed), hasDescription, prompt == null ? null : prompt.asText());
    }
}
