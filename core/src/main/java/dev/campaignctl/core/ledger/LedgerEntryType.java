package dev.campaignctl.core.ledger;

import java.util.Locale;

/** What changed a customer's points: the {@code type} of a ledger entry. */
public enum LedgerEntryType {
    EARN, REVERSE, REDEEM, REDEEM_REVERSE, EXPIRE, ADJUST;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    static LedgerEntryType parse(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
