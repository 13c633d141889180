package dev.campaignctl.core.rule;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.api.ApiException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Compiles a MongoDB-style condition document into a {@link Condition}.
 *
 * <pre>{@code
 * Condition c = Conditions.compile(Json.tree("{\"merchant_id\": \"MERCHANT_001\", \"amount\": {\"$gte\": 100}}"));
 * c.matches(eventDocument);
 * }</pre>
 *
 * Every problem is reported with its exact location, e.g.
 * {@code conditions.amount.$gtx: unknown operator}.
 */
public final class Conditions {

    private static final String ROOT = "conditions";

    private Conditions() {
    }

    public static Condition compile(JsonNode conditions) {
        if (conditions == null || conditions.isNull()) {
            throw ApiException.invalid(ROOT, "is required");
        }
        if (!conditions.isObject()) {
            throw ApiException.invalid(ROOT, "must be an object like {\"merchant_id\": \"MERCHANT_001\"}");
        }
        return document(conditions, ROOT);
    }

    private static Condition document(JsonNode doc, String where) {
        List<Condition> parts = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = doc.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = field.getKey();
            String at = where + "." + key;
            if (key.startsWith("$")) {
                parts.add(logical(key, field.getValue(), at));
            } else {
                parts.add(fieldCondition(Path.parse(key, at), field.getValue(), at));
            }
        }
        return all(parts);
    }

    private static Condition logical(String operator, JsonNode operand, String where) {
        if (!operand.isArray() || operand.isEmpty()) {
            throw ApiException.invalid(where, operator + " needs a non-empty array of conditions");
        }
        List<Condition> parts = new ArrayList<>();
        for (int i = 0; i < operand.size(); i++) {
            JsonNode element = operand.get(i);
            String at = where + "[" + i + "]";
            if (!element.isObject()) {
                throw ApiException.invalid(at, "must be an object");
            }
            parts.add(document(element, at));
        }
        return switch (operator) {
            case "$and" -> all(parts);
            case "$or" -> any(parts);
            case "$nor" -> not(any(parts));
            default -> throw ApiException.invalid(where, "unknown operator: " + operator);
        };
    }

    private static Condition fieldCondition(Path path, JsonNode spec, String where) {
        if (!isOperatorObject(spec)) {
            return event -> path.anyMatch(event, value -> Values.equal(value, spec));
        }
        List<Condition> parts = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> operators = spec.fields();
        while (operators.hasNext()) {
            Map.Entry<String, JsonNode> op = operators.next();
            parts.add(operator(path, op.getKey(), op.getValue(), where + "." + op.getKey()));
        }
        return all(parts);
    }

    private static Condition operator(Path path, String operator, JsonNode operand, String where) {
        return switch (operator) {
            case "$eq" -> event -> path.anyMatch(event, value -> Values.equal(value, operand));
            case "$ne" -> event -> !path.anyMatch(event, value -> Values.equal(value, operand));
            case "$gt" -> comparison(path, operand, where, c -> c > 0);
            case "$gte" -> comparison(path, operand, where, c -> c >= 0);
            case "$lt" -> comparison(path, operand, where, c -> c < 0);
            case "$lte" -> comparison(path, operand, where, c -> c <= 0);
            case "$in" -> membership(path, operand, where, true);
            case "$nin" -> membership(path, operand, where, false);
            case "$exists" -> exists(path, operand, where);
            default -> throw ApiException.invalid(where, "unknown operator: " + operator);
        };
    }

    private static Condition comparison(Path path, JsonNode operand, String where, IntPredicate accept) {
        if (!operand.isNumber() && !operand.isTextual()) {
            throw ApiException.invalid(where, "needs a number or a string, got " + operand.getNodeType().name().toLowerCase());
        }
        return event -> path.anyMatch(event, value -> {
            Integer order = Values.compare(value, operand);
            return order != null && accept.test(order);
        });
    }

    private static Condition membership(Path path, JsonNode operand, String where, boolean in) {
        if (!operand.isArray()) {
            throw ApiException.invalid(where, "needs an array");
        }
        Condition member = event -> path.anyMatch(event, value -> {
            for (JsonNode candidate : operand) {
                if (Values.equal(value, candidate)) {
                    return true;
                }
            }
            return false;
        });
        return in ? member : not(member);
    }

    private static Condition exists(Path path, JsonNode operand, String where) {
        if (!operand.isBoolean()) {
            throw ApiException.invalid(where, "needs true or false");
        }
        boolean wanted = operand.booleanValue();
        return event -> path.anyMatch(event, value -> true) == wanted;
    }

    private static boolean isOperatorObject(JsonNode spec) {
        if (!spec.isObject() || spec.isEmpty()) {
            return false;
        }
        return spec.fieldNames().next().startsWith("$");
    }

    private static Condition all(List<Condition> parts) {
        if (parts.isEmpty()) {
            return Condition.ALWAYS;
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        Condition[] array = parts.toArray(Condition[]::new);
        return event -> {
            for (Condition part : array) {
                if (!part.matches(event)) {
                    return false;
                }
            }
            return true;
        };
    }

    private static Condition any(List<Condition> parts) {
        Condition[] array = parts.toArray(Condition[]::new);
        return event -> {
            for (Condition part : array) {
                if (part.matches(event)) {
                    return true;
                }
            }
            return false;
        };
    }

    private static Condition not(Condition condition) {
        return event -> !condition.matches(event);
    }

    @FunctionalInterface
    private interface IntPredicate {
        boolean test(int value);
    }
}
