package dev.campaignctl.core.idempotency;

import java.util.Locale;

/** How a create request ended: a new object, or one that already existed (an event's known external_id). */
public enum Outcome {
    CREATED,
    EXISTING;

    /** The stored form. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Outcome parse(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
