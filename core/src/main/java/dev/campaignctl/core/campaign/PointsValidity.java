package dev.campaignctl.core.campaign;

import dev.campaignctl.core.error.ApiException;
import java.time.Duration;
import java.time.Period;
import java.time.format.DateTimeParseException;

/** How long a campaign's earned points last: an ISO-8601 duration of a day or more, such as {@code P365D} or {@code P1Y}. */
final class PointsValidity {

    private PointsValidity() {
    }

    static void check(String text) {
        if (text == null) {
            return;
        }
        try {
            if (text.contains("T")) {
                if (Duration.parse(text).compareTo(Duration.ofHours(1)) < 0) {
                    throw invalid(text);
                }
                return;
            }
            Period period = Period.parse(text);
            if (period.isNegative() || period.isZero() || period.toTotalMonths() > 1200 || period.getDays() > 36_500) {
                throw invalid(text);
            }
        } catch (DateTimeParseException e) {
            throw invalid(text);
        }
    }

    private static ApiException invalid(String text) {
        return ApiException.invalid("points_valid_for", "must be an ISO-8601 duration of an hour to 100 years"
                + " such as P365D, P1Y or PT12H, got \"" + (text.length() > 40 ? text.substring(0, 40) : text) + "\"");
    }
}
