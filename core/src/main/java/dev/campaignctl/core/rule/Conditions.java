package dev.campaignctl.core.rule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * Compiles a MongoDB-style condition document into a {@link Condition} tree.
 *
 * <pre>{@code
 * Condition c = Conditions.compile(Json.tree("""
 *     {"merchant_id": "MERCHANT_001", "amount": {"$gte": 100},
 *      "transaction_data.items": {"$elemMatch": {"category": "shoes", "qty": {"$gt": 1}}}}"""));
 * c.matches(eventDocument);
 * }</pre>
 *
 * Operators: {@code $eq $ne $gt $gte $lt $lte $in $nin $exists $type $regex $options $size
 * $elemMatch $not} on fields, {@code $and $or $nor} on documents; a plain value means equality.
 * Semantics follow MongoDB: a path into an array matches when any element does, {@code $ne} and
 * {@code $nin} match a missing field, {@code {"f": null}} matches a missing or null field.
 * Regexes are RE2 (linear time). Every problem is reported with its exact location, e.g.
 * {@code conditions.amount.$gtx: unknown operator}.
 */
public final class Conditions {

    private static final String ROOT = "conditions";
    private static final int MAX_DEPTH = 32;
    private static final Set<String> TYPES = Set.of(
            "string", "number", "int", "long", "double", "decimal", "bool", "boolean", "object", "array", "null");

    private Conditions() {
    }

    public static Condition compile(JsonNode conditions) {
        if (conditions == null || conditions.isNull()) {
            throw ApiException.invalid(ROOT, "is required");
        }
        if (!conditions.isObject()) {
            throw ApiException.invalid(ROOT, "must be an object like {\"merchant_id\": \"MERCHANT_001\"}");
        }
        return document(conditions, ROOT, 0);
    }

    private static Condition document(JsonNode doc, String where, int depth) {
        if (depth > MAX_DEPTH) {
            throw ApiException.invalid(where, "conditions nested deeper than " + MAX_DEPTH + " levels");
        }
        List<Condition> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            String at = where + "." + key;
            if (key.startsWith("$")) {
                parts.add(logical(key, field.getValue(), at, depth));
            } else {
                parts.add(field(Path.parse(key, at), field.getValue(), at, depth));
            }
        }
        return parts.size() == 1 ? parts.get(0) : new Group("$and", parts);
    }

    private static Condition logical(String operator, JsonNode operand, String where, int depth) {
        if (!operator.equals("$and") && !operator.equals("$or") && !operator.equals("$nor")) {
            throw ApiException.invalid(where, "unknown operator: " + operator);
        }
        if (!operand.isArray() || operand.isEmpty()) {
            throw ApiException.invalid(where, operator + " needs a non-empty array of conditions");
        }
        List<Condition> parts = new ArrayList<>();
        for (int i = 0; i < operand.size(); i++) {
            String at = where + "[" + i + "]";
            if (!operand.get(i).isObject()) {
                throw ApiException.invalid(at, "must be an object");
            }
            parts.add(document(operand.get(i), at, depth + 1));
        }
        return new Group(operator, parts);
    }

    private static Condition field(Path path, JsonNode spec, String where, int depth) {
        if (!isOperatorObject(spec)) {
            return equality(path, "$eq", spec, false);
        }
        List<Condition> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = spec.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> op = it.next();
            String at = where + "." + op.getKey();
            if (!op.getKey().startsWith("$")) {
                throw ApiException.invalid(at, "cannot mix operators and field names in one object");
            }
            if (op.getKey().equals("$options")) {
                if (!spec.has("$regex")) {
                    throw ApiException.invalid(at, "$options needs a $regex beside it");
                }
                continue;
            }
            parts.add(operator(path, op.getKey(), op.getValue(), spec, at, depth));
        }
        return parts.size() == 1 ? parts.get(0) : new Group("$and", parts);
    }

    private static Condition operator(Path path, String operator, JsonNode operand, JsonNode spec, String where, int depth) {
        return switch (operator) {
            case "$eq" -> equality(path, "$eq", operand, false);
            case "$ne" -> equality(path, "$ne", operand, true);
            case "$gt" -> comparison(path, operator, operand, where, c -> c > 0);
            case "$gte" -> comparison(path, operator, operand, where, c -> c >= 0);
            case "$lt" -> comparison(path, operator, operand, where, c -> c < 0);
            case "$lte" -> comparison(path, operator, operand, where, c -> c <= 0);
            case "$in" -> membership(path, operator, operand, where, false);
            case "$nin" -> membership(path, operator, operand, where, true);
            case "$exists" -> exists(path, operand, where);
            case "$type" -> type(path, operand, where);
            case "$regex" -> regex(path, operand, spec.get("$options"), where);
            case "$size" -> size(path, operand, where);
            case "$elemMatch" -> elemMatch(path, operand, where, depth);
            case "$not" -> not(path, operand, where, depth);
            default -> throw ApiException.invalid(where, "unknown operator: " + operator);
        };
    }

    private static Condition equality(Path path, String operator, JsonNode operand, boolean negated) {
        if (operand.isNull()) {
            // MongoDB: {"f": null} matches a null field and a missing one.
            return new FieldTest(path, operator, operand, negated, false, JsonNode::isNull) {
                @Override
                public boolean matches(JsonNode event) {
                    boolean nullOrMissing = !path.anyMatchWhole(event, value -> true) || path.anyMatch(event, JsonNode::isNull);
                    return negated != nullOrMissing;
                }
            };
        }
        Operand expected = new Operand(operand);
        return new FieldTest(path, operator, operand, negated, false, expected::equalTo);
    }

    private static Condition comparison(Path path, String operator, JsonNode operand, String where, IntPredicate accept) {
        if (!operand.isNumber() && !operand.isTextual()) {
            throw ApiException.invalid(where, operator + " needs a number, a string or an ISO-8601 timestamp, got "
                    + operand.getNodeType().name().toLowerCase());
        }
        Operand expected = new Operand(operand);
        return new FieldTest(path, operator, operand, false, false, value -> {
            Integer order = expected.compare(value);
            return order != null && accept.test(order);
        });
    }

    private static Condition membership(Path path, String operator, JsonNode operand, String where, boolean negated) {
        if (!operand.isArray()) {
            throw ApiException.invalid(where, operator + " needs an array, got " + operand.getNodeType().name().toLowerCase());
        }
        List<Operand> candidates = new ArrayList<>();
        boolean allowsNull = false;
        for (JsonNode candidate : operand) {
            if (candidate.isNull()) {
                allowsNull = true;
            } else {
                candidates.add(new Operand(candidate));
            }
        }
        Operand[] array = candidates.toArray(Operand[]::new);
        Predicate<JsonNode> member = value -> {
            if (value.isNull()) {
                return false;
            }
            for (Operand candidate : array) {
                if (candidate.equalTo(value)) {
                    return true;
                }
            }
            return false;
        };
        if (!allowsNull) {
            return new FieldTest(path, operator, operand, negated, false, member);
        }
        Condition withNull = equality(path, "$eq", Json.MAPPER.nullNode(), false);
        return new FieldTest(path, operator, operand, negated, false, member) {
            @Override
            public boolean matches(JsonNode event) {
                return negated != (path.anyMatch(event, member) || withNull.matches(event));
            }
        };
    }

    private static Condition exists(Path path, JsonNode operand, String where) {
        if (!operand.isBoolean() && !operand.isNumber()) {
            throw ApiException.invalid(where, "$exists needs true or false");
        }
        boolean wanted = operand.isBoolean() ? operand.booleanValue() : operand.asInt() != 0;
        return new FieldTest(path, "$exists", operand, !wanted, true, value -> true);
    }

    private static Condition type(Path path, JsonNode operand, String where) {
        List<String> names = new ArrayList<>();
        if (operand.isTextual()) {
            names.add(operand.textValue());
        } else if (operand.isArray()) {
            operand.forEach(name -> names.add(name.asText()));
        }
        for (String name : names) {
            if (!TYPES.contains(name)) {
                throw ApiException.invalid(where, "unknown type \"" + name + "\"; use one of " + String.join(", ", TYPES.stream().sorted().toList()));
            }
        }
        if (names.isEmpty()) {
            throw ApiException.invalid(where, "$type needs a type name or an array of them");
        }
        return new FieldTest(path, "$type", operand, false, false, value -> names.stream().anyMatch(name -> hasType(value, name)));
    }

    static boolean hasType(JsonNode value, String name) {
        return switch (name) {
            case "string" -> value.isTextual();
            case "number" -> value.isNumber();
            case "int" -> value.isInt() || value.isIntegralNumber() && value.canConvertToInt();
            case "long" -> value.isIntegralNumber() && value.canConvertToLong();
            case "double", "decimal" -> value.isFloatingPointNumber();
            case "bool", "boolean" -> value.isBoolean();
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "null" -> value.isNull();
            default -> false;
        };
    }

    private static Condition regex(Path path, JsonNode operand, JsonNode options, String where) {
        if (!operand.isTextual()) {
            throw ApiException.invalid(where, "$regex needs a string pattern");
        }
        Pattern pattern = pattern(operand.textValue(), options == null ? "" : options.asText(), where);
        return new FieldTest(path, "$regex", operand, false, false,
                value -> value.isTextual() && pattern.matcher(value.textValue()).find());
    }

    private static Pattern pattern(String regex, String options, String where) {
        int flags = 0;
        for (char option : options.toCharArray()) {
            flags |= switch (option) {
                case 'i' -> Pattern.CASE_INSENSITIVE;
                case 'm' -> Pattern.MULTILINE;
                case 's' -> Pattern.DOTALL;
                default -> throw ApiException.invalid(where.replace("$regex", "$options"),
                        "unsupported regex option '" + option + "'; use i, m or s");
            };
        }
        try {
            return Pattern.compile(regex, flags);
        } catch (PatternSyntaxException e) {
            throw ApiException.invalid(where, "invalid regex: " + e.getDescription());
        }
    }

    private static Condition size(Path path, JsonNode operand, String where) {
        if (!operand.isIntegralNumber() || operand.asLong() < 0 || !operand.canConvertToInt()) {
            throw ApiException.invalid(where, "$size needs a non-negative integer");
        }
        int size = operand.intValue();
        return new FieldTest(path, "$size", operand, false, true, value -> value.isArray() && value.size() == size);
    }

    private static Condition elemMatch(Path path, JsonNode operand, String where, int depth) {
        if (!operand.isObject() || operand.isEmpty()) {
            throw ApiException.invalid(where, "$elemMatch needs a non-empty object of conditions");
        }
        Predicate<JsonNode> element;
        if (isOperatorObject(operand)) {
            // Operators on the element itself: {"scores": {"$elemMatch": {"$gte": 80, "$lt": 90}}}.
            Condition onValue = field(Path.parse("value", where), operand, where, depth + 1);
            element = value -> {
                ObjectNode wrapper = Json.MAPPER.createObjectNode();
                wrapper.set("value", value);
                return onValue.matches(wrapper);
            };
        } else {
            Condition onObject = document(operand, where, depth + 1);
            element = value -> value.isObject() && onObject.matches(value);
        }
        return new FieldTest(path, "$elemMatch", operand, false, true, value -> {
            if (!value.isArray()) {
                return false;
            }
            for (JsonNode item : value) {
                if (element.test(item)) {
                    return true;
                }
            }
            return false;
        });
    }

    private static Condition not(Path path, JsonNode operand, String where, int depth) {
        Condition inner;
        if (operand.isTextual()) {
            inner = regex(path, operand, null, where);
        } else if (isOperatorObject(operand)) {
            inner = field(path, operand, where, depth + 1);
        } else {
            throw ApiException.invalid(where, "$not needs an operator object like {\"$regex\": \"^A\"} or a pattern");
        }
        return new Condition() {
            @Override
            public boolean matches(JsonNode event) {
                return !inner.matches(event);
            }

            @Override
            public Explanation explain(JsonNode event) {
                Explanation part = inner.explain(event);
                return Explanation.group("$not", List.of(part), !part.matched());
            }
        };
    }

    private static boolean isOperatorObject(JsonNode spec) {
        return spec.isObject() && !spec.isEmpty() && spec.fieldNames().next().startsWith("$");
    }

    /** A test of the values at one path; {@code whole} keeps a final array from being split into its elements. */
    private static class FieldTest implements Condition {
        final Path path;
        private final String operator;
        private final JsonNode expected;
        final boolean negated;
        private final boolean whole;
        private final Predicate<JsonNode> test;

        FieldTest(Path path, String operator, JsonNode expected, boolean negated, boolean whole, Predicate<JsonNode> test) {
            this.path = path;
            this.operator = operator;
            this.expected = expected;
            this.negated = negated;
            this.whole = whole;
            this.test = test;
        }

        @Override
        public boolean matches(JsonNode event) {
            boolean found = whole ? path.anyMatchWhole(event, test) : path.anyMatch(event, test);
            return negated != found;
        }

        @Override
        public Explanation explain(JsonNode event) {
            return Explanation.field(path.text(), operator, expected, path.values(event), matches(event));
        }
    }

    /** {@code $and}, {@code $or} or {@code $nor} over parts. */
    private static final class Group implements Condition {
        private final String operator;
        private final Condition[] parts;

        Group(String operator, List<Condition> parts) {
            this.operator = operator;
            this.parts = parts.toArray(Condition[]::new);
        }

        @Override
        public boolean matches(JsonNode event) {
            return switch (operator) {
                case "$and" -> {
                    for (Condition part : parts) {
                        if (!part.matches(event)) {
                            yield false;
                        }
                    }
                    yield true;
                }
                case "$or" -> anyMatches(event);
                default -> !anyMatches(event);
            };
        }

        private boolean anyMatches(JsonNode event) {
            for (Condition part : parts) {
                if (part.matches(event)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public Explanation explain(JsonNode event) {
            List<Explanation> explained = new ArrayList<>(parts.length);
            for (Condition part : parts) {
                explained.add(part.explain(event));
            }
            return Explanation.group(operator, explained, matches(event));
        }
    }
}
