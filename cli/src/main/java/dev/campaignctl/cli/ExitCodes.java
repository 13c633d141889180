package dev.campaignctl.cli;

/**
 * The CLI's exit codes, documented in the README and in {@code campaignctl --help}; scripts depend
 * on them, so never renumber. {@link ExitMapping} maps failures to them.
 */
public final class ExitCodes {

    public static final int OK = 0;
    /** An unexpected failure: a bug, or an environment problem with no better code. */
    public static final int FAILURE = 1;
    /** Wrong command line: unknown command or option, missing or malformed value. */
    public static final int USAGE = 2;
    public static final int NOT_FOUND = 3;
    /** Missing or wrong API credentials. */
    public static final int AUTH = 4;
    /** The service or database cannot be reached or started. */
    public static final int UNAVAILABLE = 5;
    /** The request conflicts with stored state (ended campaign, reused external_id). */
    public static final int CONFLICT = 6;
    /** The service refused the input (a field failed validation). */
    public static final int INVALID = 7;
    /** {@code ledger verify} found balances or lots that do not match their entries. */
    public static final int LEDGER_MISMATCH = 8;

    private ExitCodes() {
    }
}
