package dev.campaignctl.core.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import org.junit.jupiter.api.Test;

class MigrationTest {

    @Test
    void migrationsCreateTheReferenceTablesOnAnEmptyDatabase() {
        try (Database db = TestDatabases.fresh()) {
            long tables = Sql.count(db, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
                    + " AND table_name IN ('campaigns', 'campaign_rules', 'events', 'earnings', 'configuration')");
            assertThat(tables).isEqualTo(5);
            assertThat(Sql.count(db, "SELECT count(*) FROM pg_indexes WHERE indexname = 'events_pending_idx'"))
                    .isEqualTo(1);
        }
    }

    @Test
    void reopeningAMigratedDatabaseAppliesNothingTwice() {
        DbConfig config = TestDatabases.config();
        try (Database first = Database.open(config)) {
            Sql.execute(first, "INSERT INTO campaigns (name) VALUES ('kept')");
        }
        try (Database second = Database.open(config)) {
            assertThat(Sql.count(second, "SELECT count(*) FROM campaigns WHERE name = 'kept'")).isEqualTo(1);
            assertThat(Sql.count(second, "SELECT count(*) FROM flyway_schema_history WHERE success"))
                    .isEqualTo(Sql.count(second, "SELECT count(*) FROM flyway_schema_history"));
        }
    }

    @Test
    void theSchemaRefusesASecondEarningForTheSameEventAndRule() {
        try (Database db = TestDatabases.fresh()) {
            Sql.execute(db, "INSERT INTO campaigns (name) VALUES ('c')");
            Sql.execute(db, "INSERT INTO campaign_rules (campaign_id, conditions, reward_type, reward_value)"
                    + " VALUES (1, '{}', 'fixed', 1)");
            Sql.execute(db, "INSERT INTO events (amount) VALUES (1)");
            Sql.execute(db, "INSERT INTO earnings (event_id, campaign_id, rule_id, amount) VALUES (1, 1, 1, 1)");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Sql.execute(db,
                            "INSERT INTO earnings (event_id, campaign_id, rule_id, amount) VALUES (1, 1, 1, 1)"))
                    .hasMessageContaining("duplicate key");
        }
    }
}
