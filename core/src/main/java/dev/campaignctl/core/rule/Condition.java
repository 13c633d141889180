package dev.campaignctl.core.rule;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A compiled rule condition: a predicate over the event document (top-level fields plus
 * {@code transaction_data}). Compiled once when a rule is created or loaded, never re-parsed per event.
 */
@FunctionalInterface
public interface Condition {

    boolean matches(JsonNode event);

    Condition ALWAYS = event -> true;
}
