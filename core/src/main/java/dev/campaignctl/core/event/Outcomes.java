package dev.campaignctl.core.event;

import java.math.BigDecimal;

/** Where a set of events stands: counts per status, and the earnings they produced. */
public record Outcomes(long pending, long processed, long skipped, long failed, long earnings, BigDecimal points) {
}
