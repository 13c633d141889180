package dev.campaignctl.core.rule;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A compiled rule condition: a predicate over the event document (top-level fields plus
 * {@code transaction_data}). Compiled once when a rule is created or loaded, never re-parsed per
 * event; {@link #explain} says why it did or did not match.
 */
public interface Condition {

    boolean matches(JsonNode event);

    /** The same decision as {@link #matches}, with the actual values seen at each path. */
    Explanation explain(JsonNode event);
}
