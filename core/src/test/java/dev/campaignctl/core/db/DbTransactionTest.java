package dev.campaignctl.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.idempotency.Created;
import dev.campaignctl.core.idempotency.IdempotencyKey;
import dev.campaignctl.core.idempotency.IdempotencyKeys;
import dev.campaignctl.core.idempotency.IdempotentRequest;
import dev.campaignctl.core.idempotency.Outcome;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A transaction that mixes DbClient and JDBC statements commits or rolls back as one. */
class DbTransactionTest {

    private static Database database;
    private static Db db;

    @BeforeAll
    static void setUp() {
        database = TestDatabases.fresh();
        db = database.db();
        Sql.execute(database, "CREATE TABLE t (v TEXT PRIMARY KEY)");
    }

    @AfterAll
    static void tearDown() {
        database.close();
    }

    private static long rows(String v) {
        return Sql.count(database, "SELECT count(*) FROM t WHERE v = '" + v + "'");
    }

    private static void jdbcInsert(Connection connection, String v) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO t VALUES (?)")) {
            ps.setString(1, v);
            ps.executeUpdate();
        }
    }

    @Test
    void dbClientAndJdbcStatementsCommitTogether() {
        db.transaction(tx -> {
            tx.db().createNamedInsert("t.insert", "INSERT INTO t VALUES (?)").addParam("both-1").execute();
            jdbcInsert(tx.connection(), "both-2");
            return null;
        });

        assertThat(rows("both-1") + rows("both-2")).isEqualTo(2);
    }

    @Test
    void aFailureAfterBothKindsRollsBothBack() {
        assertThatThrownBy(() -> db.transaction(tx -> {
            tx.db().createNamedInsert("t.insert", "INSERT INTO t VALUES (?)").addParam("gone-1").execute();
            jdbcInsert(tx.connection(), "gone-2");
            throw new IllegalStateException("fails after both");
        })).hasMessage("fails after both");

        assertThat(rows("gone-1") + rows("gone-2")).isZero();
    }

    @Test
    void aDbClientStatementThatFailsInTheDatabaseRollsBackTheJdbcOneAndReadsAsADatabaseError() {
        assertThatThrownBy(() -> db.transaction(tx -> {
            jdbcInsert(tx.connection(), "dup");
            return tx.db().createNamedInsert("t.insert", "INSERT INTO t VALUES (?)").addParam("dup").execute();
        })).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("database error 23505");

        assertThat(rows("dup")).isZero();
    }

    @Test
    void anIdempotencyKeyClaimedThroughDbClientRollsBackWithFailedJdbcWork() {
        IdempotentRequest request = new IdempotentRequest(new IdempotencyKey("mixed-1"), "test", "fp");

        assertThatThrownBy(() -> IdempotencyKeys.transaction(database.dataSource(), request, String.class, connection -> {
            jdbcInsert(connection, "keyed-1");
            throw new IllegalStateException("work failed");
        })).hasMessage("work failed");
        assertThat(rows("keyed-1")).isZero();
        assertThat(Sql.count(database, "SELECT count(*) FROM idempotency_keys WHERE key = 'mixed-1'")).isZero();

        Created<String> created = IdempotencyKeys.transaction(database.dataSource(), request, String.class, connection -> {
            jdbcInsert(connection, "keyed-1");
            return new Created<>("done", Outcome.CREATED);
        });
        Created<String> replayed = IdempotencyKeys.transaction(database.dataSource(), request, String.class, connection -> {
            throw new AssertionError("a replay runs no work");
        });

        assertThat(created.replayed()).isFalse();
        assertThat(replayed.replayed()).isTrue();
        assertThat(replayed.value()).isEqualTo("done");
        assertThat(rows("keyed-1")).isEqualTo(1);
    }
}
