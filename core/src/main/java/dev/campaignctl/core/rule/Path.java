package dev.campaignctl.core.rule;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.error.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A dot-notation path such as {@code transaction_data.items.category}. As in MongoDB, a path that
 * meets an array continues into every element, a numeric segment also indexes into an array, and a
 * path ending at an array offers both the array and each of its elements to a test.
 */
public final class Path {

    private final String text;
    private final String[] segments;

    private Path(String text, String[] segments) {
        this.text = text;
        this.segments = segments;
    }

    public static Path parse(String text, String where) {
        if (text.isEmpty() || text.startsWith(".") || text.endsWith(".") || text.contains("..")) {
            throw ApiException.invalid(where, "malformed path \"" + text + "\"");
        }
        return new Path(text, text.split("\\."));
    }

    public String text() {
        return text;
    }

    /** True when any value reached by this path satisfies the test. */
    public boolean anyMatch(JsonNode document, Predicate<JsonNode> test) {
        return walk(document, 0, test, true);
    }

    /** True when any value reached, not counting the elements of a final array, satisfies the test. */
    public boolean anyMatchWhole(JsonNode document, Predicate<JsonNode> test) {
        return walk(document, 0, test, false);
    }

    /** Every value the path reaches (empty when it is missing), for explanations. */
    public List<JsonNode> values(JsonNode document) {
        List<JsonNode> found = new ArrayList<>();
        walk(document, 0, value -> {
            found.add(value);
            return false;
        }, false);
        return found;
    }

    private boolean walk(JsonNode node, int index, Predicate<JsonNode> test, boolean intoFinalArray) {
        if (index == segments.length) {
            if (test.test(node)) {
                return true;
            }
            if (intoFinalArray && node.isArray()) {
                for (JsonNode element : node) {
                    if (test.test(element)) {
                        return true;
                    }
                }
            }
            return false;
        }
        String segment = segments[index];
        if (node.isObject()) {
            JsonNode child = node.get(segment);
            return child != null && walk(child, index + 1, test, intoFinalArray);
        }
        if (node.isArray()) {
            int position = arrayIndex(segment);
            if (position >= 0 && position < node.size() && walk(node.get(position), index + 1, test, intoFinalArray)) {
                return true;
            }
            for (JsonNode element : node) {
                if (element.isObject() && walk(element, index, test, intoFinalArray)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int arrayIndex(String segment) {
        if (segment.isEmpty() || segment.length() > 9) {
            return -1;
        }
        for (int i = 0; i < segment.length(); i++) {
            if (!Character.isDigit(segment.charAt(i))) {
                return -1;
            }
        }
        return Integer.parseInt(segment);
    }

    @Override
    public String toString() {
        return text;
    }
}
