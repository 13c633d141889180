package dev.campaignctl.core.rule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.json.Json;
import java.math.BigDecimal;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The operators against their definitions, over generated values. */
class ConditionPropertiesTest {

    private static ObjectNode doc(String field, JsonNode value) {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.set(field, value);
        return doc;
    }

    private static boolean matches(ObjectNode conditions, JsonNode document) {
        return Conditions.compile(conditions).matches(document);
    }

    private static ObjectNode op(String field, String operator, JsonNode operand) {
        ObjectNode spec = Json.MAPPER.createObjectNode();
        spec.set(operator, operand);
        return doc(field, spec);
    }

    private static JsonNode number(BigDecimal value) {
        return Json.MAPPER.getNodeFactory().numberNode(value);
    }

    @Provide
    Arbitrary<BigDecimal> decimals() {
        return Arbitraries.bigDecimals().between(new BigDecimal("-100000"), new BigDecimal("100000")).ofScale(3);
    }

    @Property
    boolean comparisonsFollowDecimalOrder(@ForAll("decimals") BigDecimal actual, @ForAll("decimals") BigDecimal bound) {
        JsonNode event = doc("x", number(actual));
        int order = actual.compareTo(bound);
        return matches(op("x", "$gt", number(bound)), event) == (order > 0)
                && matches(op("x", "$gte", number(bound)), event) == (order >= 0)
                && matches(op("x", "$lt", number(bound)), event) == (order < 0)
                && matches(op("x", "$lte", number(bound)), event) == (order <= 0)
                && matches(op("x", "$eq", number(bound)), event) == (order == 0)
                && matches(op("x", "$ne", number(bound)), event) == (order != 0);
    }

    @Property
    boolean equalityIgnoresScale(@ForAll("decimals") BigDecimal value, @ForAll @IntRange(min = 3, max = 8) int scale) {
        return matches(doc("x", number(value.setScale(scale))), doc("x", number(value)))
                && matches(doc("x", number(value)), doc("x", number(value.stripTrailingZeros())));
    }

    @Property
    boolean inIsMembershipAndNinItsNegation(@ForAll @IntRange(min = -20, max = 20) int value,
                                            @ForAll @Size(max = 8) List<@IntRange(min = -20, max = 20) Integer> set) {
        ArrayNode operand = Json.MAPPER.createArrayNode();
        set.forEach(operand::add);
        JsonNode event = doc("x", Json.MAPPER.getNodeFactory().numberNode(value));
        boolean member = set.contains(value);
        return matches(op("x", "$in", operand), event) == member && matches(op("x", "$nin", operand), event) != member;
    }

    @Property
    boolean anyElementOfAnArrayFieldCanSatisfyEquality(@ForAll @Size(max = 6) List<@IntRange(min = 0, max = 9) Integer> values,
                                                       @ForAll @IntRange(min = 0, max = 9) int wanted) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        values.forEach(array::add);
        return matches(doc("x", Json.MAPPER.getNodeFactory().numberNode(wanted)), doc("x", array)) == values.contains(wanted);
    }

    @Property
    boolean logicalOperatorsComposeAsBooleans(@ForAll @IntRange(min = 0, max = 3) int a, @ForAll @IntRange(min = 0, max = 3) int b) {
        JsonNode event = Json.tree("{\"a\": " + a + ", \"b\": " + b + "}");
        ObjectNode p = doc("a", Json.MAPPER.getNodeFactory().numberNode(1));
        ObjectNode q = doc("b", Json.MAPPER.getNodeFactory().numberNode(2));
        boolean pm = matches(p, event);
        boolean qm = matches(q, event);
        return matches(logical("$and", p, q), event) == (pm && qm)
                && matches(logical("$or", p, q), event) == (pm || qm)
                && matches(logical("$nor", p, q), event) == !(pm || qm);
    }

    @Property
    boolean explainAlwaysAgreesWithMatches(@ForAll("decimals") BigDecimal actual, @ForAll("decimals") BigDecimal bound) {
        Condition condition = Conditions.compile(Json.tree("{\"$or\": [{\"x\": {\"$gte\": " + bound + "}}, {\"y\": {\"$exists\": true}}],"
                + " \"x\": {\"$not\": {\"$lt\": " + bound.negate() + "}}}"));
        JsonNode event = doc("x", number(actual));
        return condition.explain(event).matched() == condition.matches(event);
    }

    private static ObjectNode logical(String operator, ObjectNode... parts) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (ObjectNode part : parts) {
            array.add(part);
        }
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.set(operator, array);
        return doc;
    }
}
