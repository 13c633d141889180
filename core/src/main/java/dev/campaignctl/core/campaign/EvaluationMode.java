package dev.campaignctl.core.campaign;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.campaignctl.core.error.ApiException;
import java.util.Locale;

/** Which of a campaign's matching rules pay an event: the highest-priority one, or every one. */
public enum EvaluationMode {
    FIRST, ALL;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EvaluationMode parse(String field, String text) {
        for (EvaluationMode mode : values()) {
            if (mode.wire().equals(text)) {
                return mode;
            }
        }
        throw ApiException.invalid(field, "must be first or all, got \"" + text + "\"");
    }
}
