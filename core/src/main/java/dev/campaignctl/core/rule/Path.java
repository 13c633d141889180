package dev.campaignctl.core.rule;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.api.ApiException;
import java.util.function.Predicate;

/**
 * A dot-notation path such as {@code transaction_data.items.category}. As in MongoDB, a path that
 * meets an array continues into every element, and a numeric segment also indexes into an array.
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
        if (text.startsWith("$")) {
            throw ApiException.invalid(where, "unknown operator: " + text);
        }
        return new Path(text, text.split("\\."));
    }

    public String text() {
        return text;
    }

    /** True when any value reached by this path satisfies the test. */
    public boolean anyMatch(JsonNode document, Predicate<JsonNode> test) {
        return walk(document, 0, test);
    }

    private boolean walk(JsonNode node, int index, Predicate<JsonNode> test) {
        if (index == segments.length) {
            if (test.test(node)) {
                return true;
            }
            if (node.isArray()) {
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
            return child != null && walk(child, index + 1, test);
        }
        if (node.isArray()) {
            int position = arrayIndex(segment);
            if (position >= 0 && position < node.size() && walk(node.get(position), index + 1, test)) {
                return true;
            }
            for (JsonNode element : node) {
                if (element.isObject() && walk(element, index, test)) {
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
