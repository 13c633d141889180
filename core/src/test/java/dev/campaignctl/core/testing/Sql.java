package dev.campaignctl.core.testing;

import dev.campaignctl.core.db.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Direct SQL for assertions and bulk set-up in tests. */
public final class Sql {

    private Sql() {
    }

    public static long count(Database db, String query) {
        try (Connection c = db.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void execute(Database db, String sql) {
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Inserts {@code count} pending events; event i has merchant M{i % merchants} and amount 10 + i % 100. */
    public static void insertPendingEvents(Database db, int count, int merchants) {
        execute(db, "INSERT INTO events (customer_id, merchant_id, amount, transaction_data)"
                + " SELECT 'C' || (g % 1000), 'M' || (g % " + merchants + "), 10 + g % 100,"
                + " json_build_object('channel', CASE WHEN g % 2 = 0 THEN 'web' ELSE 'store' END,"
                + " 'items', json_build_array(json_build_object('category', 'cat' || (g % 7))))"
                + " FROM generate_series(0, " + (count - 1) + ") AS g");
    }
}
