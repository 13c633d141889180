package dev.campaignctl.core.rule;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.campaignctl.core.error.ApiException;
import java.util.Locale;

/** How a matched rule turns an event's amount into points. */
public enum RewardType {
    /** {@code value} points, whatever the amount. */
    FIXED,
    /** {@code value} percent of the amount, rounded half-up to 2 decimals. */
    PERCENTAGE,
    /** {@code value} points per whole currency unit of the amount (150.99 counts as 150 units). */
    PER_UNIT;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RewardType parse(String field, String text) {
        for (RewardType type : values()) {
            if (type.wire().equals(text)) {
                return type;
            }
        }
        throw ApiException.invalid(field, "must be one of fixed, percentage, per_unit, got \"" + text + "\"");
    }
}
