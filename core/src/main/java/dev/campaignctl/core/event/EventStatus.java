package dev.campaignctl.core.event;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.campaignctl.core.error.ApiException;
import java.util.Locale;

/** Where an event is in processing: pending until a processor decides processed, skipped or failed. */
public enum EventStatus {
    PENDING, PROCESSED, SKIPPED, FAILED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EventStatus parse(String field, String text) {
        for (EventStatus status : values()) {
            if (status.wire().equals(text)) {
                return status;
            }
        }
        throw ApiException.invalid(field, "must be one of pending, processed, skipped, failed, got \"" + text + "\"");
    }
}
