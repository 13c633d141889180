package dev.campaignctl.core.campaign;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.campaignctl.core.error.ApiException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Lifecycle of a campaign: draft → active ⇄ paused → ended. Only active campaigns earn. */
public enum CampaignStatus {
    DRAFT, ACTIVE, PAUSED, ENDED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CampaignStatus parse(String field, String text) {
        for (CampaignStatus status : values()) {
            if (status.wire().equals(text)) {
                return status;
            }
        }
        throw ApiException.invalid(field, "must be one of " + allowed() + ", got \"" + text + "\"");
    }

    public static String allowed() {
        return Arrays.stream(values()).map(CampaignStatus::wire).collect(Collectors.joining(", "));
    }

    /** Ended is final; everything else may move to any other state. */
    public boolean canMoveTo(CampaignStatus next) {
        return this == next || this != ENDED;
    }
}
