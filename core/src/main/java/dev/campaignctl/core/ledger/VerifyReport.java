package dev.campaignctl.core.ledger;

import java.util.List;

/** What {@code ledger verify} found: how much it checked and every mismatch, named. */
public record VerifyReport(long customers, long entries, long lots, List<String> mismatches) {

    public boolean clean() {
        return mismatches.isEmpty();
    }
}
