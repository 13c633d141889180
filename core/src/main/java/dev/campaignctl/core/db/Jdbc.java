package dev.campaignctl.core.db;

import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.json.Decimals;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/** The few JDBC chores every store repeats: borrow a connection, run a transaction, convert times. */
public final class Jdbc {

    /** Work on a connection that may throw {@link SQLException}. */
    @FunctionalInterface
    public interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    private Jdbc() {
    }

    /** Runs {@code work} on a pooled connection in auto-commit mode. */
    public static <T> T call(DataSource dataSource, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.apply(connection);
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws
     * anything at all. An Error (OutOfMemoryError, StackOverflowError) rolls back too: resetting
     * auto-commit on a connection with an open transaction would commit its half-done work.
     */
    public static <T> T transaction(DataSource dataSource, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            T result;
            try {
                result = work.apply(connection);
            } catch (Throwable e) {
                rollbackAfter(connection, e);
                throw e;
            }
            connection.commit();
            connection.setAutoCommit(true);
            return result;
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    /**
     * Rolls back after {@code failure}; when even that fails, the connection is aborted so the pool
     * discards it instead of handing out (or auto-committing) the open transaction.
     */
    private static void rollbackAfter(Connection connection, Throwable failure) {
        try {
            connection.rollback();
            connection.setAutoCommit(true);
        } catch (Throwable rollback) {
            failure.addSuppressed(rollback);
            try {
                connection.abort(Runnable::run);
            } catch (Throwable abort) {
                failure.addSuppressed(abort);
            }
        }
    }

    /**
     * Connection failures, a server shutting down or out of connections, a pool with no free
     * connection in time, and a transaction PostgreSQL rolled back for a deadlock or a
     * serialization failure become "unavailable" (503, retry later); everything else is a bug and
     * stays a 500.
     */
    public static RuntimeException translate(SQLException e) {
        String state = e.getSQLState();
        if (e instanceof SQLTransientConnectionException
                || state != null && (state.startsWith("08") || state.startsWith("57P") || state.equals("53300"))) {
            return new ApiException(ErrorKind.UNAVAILABLE, null, "database unavailable: " + e.getMessage(), e);
        }
        if ("40P01".equals(state) || "40001".equals(state)) {
            // Rolled back whole by PostgreSQL (a deadlock or a serialization failure): nothing was
            // written, and the same request again can succeed.
            return new ApiException(ErrorKind.UNAVAILABLE, null, "the database rolled the transaction back ("
                    + (state.equals("40P01") ? "deadlock" : "serialization failure") + "); nothing was written, retry", e);
        }
        return new IllegalStateException("database error " + state + ": " + e.getMessage(), e);
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }

    public static void setInstant(PreparedStatement ps, int index, Instant instant) throws SQLException {
        ps.setObject(index, instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    /** Reads a NUMERIC without the column's padding zeros: 100.0000 reads as 100, 150.5000 as 150.5. */
    public static BigDecimal decimal(ResultSet rs, String column) throws SQLException {
        return Decimals.plain(rs.getBigDecimal(column));
    }

    /** Reads a money amount with at least two decimals (150.00, 12.3450 as 12.345). */
    public static BigDecimal money(ResultSet rs, String column) throws SQLException {
        BigDecimal value = decimal(rs, column);
        return value == null || value.scale() >= 2 ? value : value.setScale(2);
    }

    public static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    /**
     * A PostgreSQL {@code text[]} literal of {@code values} (null elements allowed), for a
     * {@code ?::text[]} parameter. Each element is quoted with only {@code "} and {@code \} escaped,
     * copied in runs between them; on batches of JSON documents this is several times cheaper than
     * the driver's {@code createArrayOf}, which appends character by character.
     */
    public static String textArray(String[] values) {
        int size = 2;
        for (String value : values) {
            size += value == null ? 5 : value.length() + 8;
        }
        StringBuilder literal = new StringBuilder(size).append('{');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                literal.append(',');
            }
            String value = values[i];
            if (value == null) {
                literal.append("NULL");
                continue;
            }
            literal.append('"');
            int run = 0;
            for (int j = 0; j < value.length(); j++) {
                char c = value.charAt(j);
                if (c == '"' || c == '\\') {
                    literal.append(value, run, j).append('\\');
                    run = j;
                }
            }
            literal.append(value, run, value.length()).append('"');
        }
        return literal.append('}').toString();
    }
}
