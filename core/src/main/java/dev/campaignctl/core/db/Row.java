package dev.campaignctl.core.db;

import dev.campaignctl.core.json.Decimals;
import io.helidon.dbclient.DbRow;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * One result row read by column name, from DbClient ({@link DbRow}) or from JDBC (a
 * {@link ResultSet} on its current row), so that each entity's row mapping is written once and
 * serves both.
 *
 * <pre>{@code
 * Campaign c = CampaignRows.campaign(Row.of(dbRow));
 * Campaign joined = CampaignRows.campaign(Row.of(resultSet, "c_"));   // columns aliased c_id, c_name...
 * }</pre>
 */
public final class Row {

    /** A column's value as the driver returns it ({@link ResultSet#getObject}), null for SQL NULL. */
    @FunctionalInterface
    private interface Values {
        Object get(String column) throws SQLException;
    }

    private final Values values;

    private Row(Values values) {
        this.values = values;
    }

    public static Row of(DbRow row) {
        return new Row(column -> row.column(column).get(Object.class));
    }

    public static Row of(ResultSet rs) {
        return new Row(rs::getObject);
    }

    /** The current row of {@code rs}, each column name prefixed with {@code prefix} (for joins). */
    public static Row of(ResultSet rs, String prefix) {
        return prefix.isEmpty() ? of(rs) : new Row(column -> rs.getObject(prefix + column));
    }

    public String string(String column) throws SQLException {
        Object value = values.get(column);
        return value == null ? null : value.toString();
    }

    /** A non-null integer column. */
    public long longValue(String column) throws SQLException {
        return ((Number) values.get(column)).longValue();
    }

    public Long nullableLong(String column) throws SQLException {
        Object value = values.get(column);
        return value == null ? null : ((Number) value).longValue();
    }

    /** A non-null integer column. */
    public int intValue(String column) throws SQLException {
        return ((Number) values.get(column)).intValue();
    }

    public Instant instant(String column) throws SQLException {
        return switch (values.get(column)) {
            case null -> null;
            case Timestamp ts -> ts.toInstant();
            case OffsetDateTime odt -> odt.toInstant();
            case Instant instant -> instant;
            case Object other -> throw new IllegalStateException("column " + column + " holds no time: " + other.getClass());
        };
    }

    /** A NUMERIC without the column's padding zeros: 100.0000 reads as 100, 150.5000 as 150.5. */
    public BigDecimal decimal(String column) throws SQLException {
        Object value = values.get(column);
        return value == null ? null : Decimals.plain((BigDecimal) value);
    }

    /** A money amount with at least two decimals (150.00, 12.3450 as 12.345). */
    public BigDecimal money(String column) throws SQLException {
        BigDecimal value = decimal(column);
        return value == null || value.scale() >= 2 ? value : value.setScale(2);
    }
}
