package dev.campaignctl.core.rule;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Why a condition matched or not: for a field test, the path, the operator, the expected operand
 * and the values actually found there (empty when the path is missing); for {@code $and}/{@code $or}
 * and friends, the explanations of their parts.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Explanation(
        String path,
        String operator,
        JsonNode expected,
        List<JsonNode> actual,
        boolean matched,
        List<Explanation> conditions) {

    public static Explanation field(String path, String operator, JsonNode expected, List<JsonNode> actual, boolean matched) {
        return new Explanation(path, operator, expected, actual, matched, null);
    }

    public static Explanation group(String operator, List<Explanation> parts, boolean matched) {
        return new Explanation(null, operator, null, null, matched, parts);
    }
}
