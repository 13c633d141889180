package dev.campaignctl.core.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.campaignctl.core.metrics.Metrics;
import dev.campaignctl.core.testing.TestDatabases;
import org.junit.jupiter.api.Test;

/** Each open pool reports its own connections, under a name no other open pool has, until closed. */
class PoolMetricsTest {

    private static String poolName(Database database) {
        return ((HikariDataSource) database.dataSource()).getPoolName();
    }

    private static String series(String pool) {
        return "hikaricp_connections{pool=\"" + pool + "\"} ";
    }

    @Test
    void twoOpenDatabasesReportTheirPoolsApartAndClosingOneRemovesOnlyItsSeries() {
        try (Database first = TestDatabases.fresh(); Database second = TestDatabases.fresh()) {
            String firstPool = poolName(first);
            String secondPool = poolName(second);
            assertThat(firstPool).startsWith("campaignctl").isNotEqualTo(secondPool);
            assertThat(Metrics.scrape()).contains(series(firstPool), series(secondPool),
                    "hikaricp_connections_max{pool=\"" + firstPool + "\"} " + (double) DbConfig.DEFAULT_POOL_SIZE);

            first.close();

            assertThat(Metrics.scrape()).doesNotContain(series(firstPool)).contains(series(secondPool));
        }
    }

    @Test
    void aClosedPoolsNameIsFreeAgain() {
        String name;
        try (Database database = TestDatabases.fresh()) {
            name = poolName(database);
        }
        try (Database database = TestDatabases.fresh()) {
            assertThat(poolName(database)).isEqualTo(name);
        }
    }
}
