package dev.campaignctl.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A transaction that ends by any Throwable leaves nothing behind, and its connection is usable again. */
class JdbcTransactionTest {

    private Database db;

    @BeforeEach
    void setUp() {
        db = TestDatabases.fresh();
        Sql.execute(db, "CREATE TABLE t (x int)");
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private void insertThenThrow(Throwable failure) {
        assertThatThrownBy(() -> Jdbc.transaction(db.dataSource(), connection -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute("INSERT INTO t VALUES (1)");
            }
            if (failure instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) failure;
        })).isSameAs(failure);
    }

    @Test
    void anErrorRollsBackInsteadOfCommittingHalfTheWork() {
        insertThenThrow(new StackOverflowError("injected"));
        insertThenThrow(new OutOfMemoryError("injected"));
        insertThenThrow(new IllegalStateException("injected"));

        assertThat(Sql.count(db, "SELECT count(*) FROM t")).isZero();
        // The pooled connections were handed back clean: auto-commit work on them still commits.
        for (int i = 0; i < 20; i++) {
            Jdbc.call(db.dataSource(), connection -> connection.createStatement().executeUpdate("INSERT INTO t VALUES (2)"));
        }
        assertThat(Sql.count(db, "SELECT count(*) FROM t")).isEqualTo(20);
    }
}
