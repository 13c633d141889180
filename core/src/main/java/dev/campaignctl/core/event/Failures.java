package dev.campaignctl.core.event;

import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Tells a failure of the database (down, restarting, out of connections, a deadlock: retry the
 * batch later, as it is) from a failure caused by the batch's data (isolate the event at fault).
 */
final class Failures {

    private static final int MAX_REASON = 300;

    private Failures() {
    }

    /**
     * True when retrying the same work later may succeed: connection errors (SQLState class 08),
     * insufficient resources (53), operator intervention such as a shutdown (57), transaction
     * rollbacks such as deadlocks and serialization failures (40), system errors (58), and what
     * the driver or pool itself calls transient or recoverable.
     */
    static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ApiException api && api.kind() == ErrorKind.UNAVAILABLE) {
                return true;
            }
            if (cause instanceof SQLTransientException || cause instanceof SQLRecoverableException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57")
                        || state.startsWith("40") || state.startsWith("58")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** True when PostgreSQL rolled the transaction back for a deadlock or a serialization failure (SQLState class 40): worth running again at once. */
    static boolean isRolledBack(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("40")) {
                return true;
            }
        }
        return false;
    }

    /** A one-line reason of at most 300 characters: the SQLState and message of the deepest SQL error, else the failure. */
    static String describe(Throwable failure) {
        Throwable shown = failure;
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof SQLException) {
                shown = cause;
            }
        }
        String text = shown instanceof SQLException sql && sql.getSQLState() != null
                ? sql.getSQLState() + " " + sql.getMessage()
                : shown.getClass().getSimpleName() + ": " + shown.getMessage();
        // Cut before collapsing white space: a message may quote a whole rejected value.
        text = (text.length() > 4 * MAX_REASON ? text.substring(0, 4 * MAX_REASON) : text).replaceAll("\\s+", " ").strip();
        return text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON) + "...";
    }
}
