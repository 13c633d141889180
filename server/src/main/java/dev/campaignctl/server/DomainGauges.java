package dev.campaignctl.server;

import com.zaxxer.hikari.HikariDataSource;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.metrics.Metrics;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Gauges read from the database and its pool at scrape time: the queue's depth and age, pool use. */
final class DomainGauges {

    private DomainGauges() {
    }

    static void register(Database database) {
        Metrics.gauge("campaignctl_events_pending", "Events waiting for the processor",
                () -> query(database, "SELECT count(*) FROM events WHERE status = 'pending'"));
        Metrics.gauge("campaignctl_events_oldest_pending_seconds", "Age of the oldest pending event",
                () -> query(database, "SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)"
                        + " FROM events WHERE status = 'pending'"));
        if (database.dataSource() instanceof HikariDataSource pool) {
            Metrics.gauge("campaignctl_db_pool_connections", "Database pool connections",
                    () -> pool.getHikariPoolMXBean().getActiveConnections(), "state", "active");
            Metrics.gauge("campaignctl_db_pool_connections", "Database pool connections",
                    () -> pool.getHikariPoolMXBean().getIdleConnections(), "state", "idle");
            Metrics.gauge("campaignctl_db_pool_connections", "Database pool connections",
                    () -> pool.getHikariPoolMXBean().getThreadsAwaitingConnection(), "state", "waiting");
        }
    }

    private static double query(Database database, String sql) {
        try (Connection c = database.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getDouble(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
