package dev.campaignctl.bench;

import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.db.DbConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Fills the embedded database of a data directory with active campaigns, {@code RULES} rules of
 * mixed conditions and {@code EVENTS} pending events, for the processor benchmark.
 *
 * <pre>{@code java ... SeedPendingEvents /tmp/bench-home 100000 20
 * java ... SeedPendingEvents jdbc:postgresql://localhost:5432/campaignctl 100000 20 }</pre>
 * A data directory means its embedded database; a JDBC URL a running one (user postgres), seeded
 * again on every call (rules only the first time).
 */
public final class SeedPendingEvents {

    private static final String[] CONDITIONS = {
            "{\"merchant_id\": \"M%d\"}",
            "{\"transaction_data.channel\": \"web\", \"merchant_id\": \"M%d\"}",
            "{\"amount\": {\"$gte\": %d}}",
            "{\"transaction_data.items.category\": \"cat%d\"}",
            "{\"currency\": {\"$in\": [\"EUR\", \"USD\"]}, \"customer_id\": \"C%d\"}",
    };

    private SeedPendingEvents() {
    }

    public static void main(String[] args) throws SQLException {
        String target = args[0];
        int events = Integer.parseInt(args[1]);
        int rules = Integer.parseInt(args[2]);
        DbConfig config = target.startsWith("jdbc:") ? DbConfig.external(target, "postgres", System.getenv("DB_PASSWORD")) : DbConfig.embedded(Path.of(target));
        try (Database db = Database.open(config);
             Connection c = db.connection();
             Statement s = c.createStatement()) {
            var existing = s.executeQuery("SELECT count(*) FROM campaign_rules");
            existing.next();
            boolean seeded = existing.getLong(1) > 0;
            long offset;
            try (var max = s.executeQuery("SELECT coalesce(max(id), 0) FROM events")) {
                max.next();
                offset = max.getLong(1);
            }
            if (!seeded) {
            s.execute("INSERT INTO campaigns (name) SELECT 'bench ' || g FROM generate_series(1, 5) g");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO campaign_rules"
                    + " (campaign_id, name, priority, conditions, reward_type, reward_value)"
                    + " VALUES (?, ?, ?, ?::jsonb, ?, ?)")) {
                for (int i = 0; i < rules; i++) {
                    ps.setLong(1, 1 + i % 5);
                    ps.setString(2, "rule " + i);
                    ps.setInt(3, rules - i);
                    ps.setString(4, String.format(CONDITIONS[i % CONDITIONS.length], 90 + i));
                    ps.setString(5, i % 3 == 0 ? "fixed" : i % 3 == 1 ? "percentage" : "per_unit");
                    ps.setInt(6, 1 + i % 10);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            }
            s.execute("INSERT INTO events (external_id, customer_id, merchant_id, amount, currency, transaction_data)"
                    + " SELECT 'bench-' || (g + " + offset + "), 'C' || (g % 5000), 'M' || (90 + g % 40), (g % 200) + 0.99,"
                    + " CASE WHEN g % 3 = 0 THEN 'USD' ELSE 'EUR' END,"
                    + " json_build_object('channel', CASE WHEN g % 2 = 0 THEN 'web' ELSE 'store' END,"
                    + "   'items', json_build_array(json_build_object('category', 'cat' || (90 + g % 30), 'qty', 1 + g % 4),"
                    + "                             json_build_object('category', 'cat' || (g % 13), 'qty', 2)))"
                    + " FROM generate_series(1, " + events + ") g");
            s.execute("ANALYZE");
            System.err.printf("seeded %d pending events and %d rules in %s%n", events, rules, target);
        }
    }
}
