package dev.campaignctl.core.db;

import io.helidon.common.mapper.MapperManager;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbClientService;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbMapperManager;
import io.helidon.dbclient.DbRow;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;
import io.helidon.dbclient.jdbc.JdbcConnectionPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Helidon DbClient on the application's own Hikari pool: the stores' ordinary statements go through
 * it. Plain JDBC on the same pool stays only where DbClient has no API (array batches, COPY,
 * LISTEN/NOTIFY, advisory locks), and a transaction may mix both on one connection ({@link Tx}).
 *
 * <pre>{@code
 * List<Rule> rules = db.execute(exec -> Db.list(
 *         exec.createNamedQuery("rule.list", sql).addParam(campaignId).execute(), CampaignRows::rule));
 * Campaign changed = db.transaction(tx -> {
 *     tx.db().createNamedUpdate("rule-set-version.bump", bump).execute();
 *     return ...;   // tx.connection() for the JDBC-only parts, in the same transaction
 * });
 * }</pre>
 *
 * <p>DbClient's own JDBC transactions cannot hand their connection to JDBC code, so a transaction
 * is opened here with {@link Jdbc#transaction} and DbClient is bound to its connection: committed
 * or rolled back once, by {@link Jdbc#transaction}, with every statement of either kind in it.
 */
public final class Db {

    /** DbClient statements in auto-commit mode; may throw {@link SQLException} (from row mapping). */
    @FunctionalInterface
    public interface Work<T> {
        T apply(DbExecute exec) throws SQLException;
    }

    /** Maps one row, read by column name; see {@link Row}. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(Row row) throws SQLException;
    }

    /** Work in one transaction; may throw {@link SQLException} from its JDBC parts. */
    @FunctionalInterface
    public interface TxWork<T> {
        T apply(Tx tx) throws SQLException;
    }

    /**
     * One transaction: DbClient statements through {@link #db()}, JDBC ones through
     * {@link #connection()}, on the same connection.
     */
    public static final class Tx {
        private final Connection connection;
        private final List<DbClientService> services;
        private DbExecute db;

        private Tx(Connection connection, List<DbClientService> services) {
            this.connection = connection;
            this.services = services;
        }

        /** DbClient on this transaction's connection; its statements commit or roll back with the transaction. */
        public DbExecute db() {
            if (db == null) {
                // A transaction's statements neither close nor commit their connection; the
                // DbTransaction is never committed here: Jdbc.transaction ends it.
                db = client(() -> connection, services).transaction();
            }
            return db;
        }

        /** The same transaction's JDBC connection, for what DbClient has no API for. */
        public Connection connection() {
            return connection;
        }
    }

    private final DataSource dataSource;
    private final List<DbClientService> services;
    private final DbClient client;

    private Db(DataSource dataSource, List<DbClientService> services) {
        this.dataSource = dataSource;
        this.services = List.copyOf(services);
        this.client = client(() -> borrow(dataSource), this.services);
    }

    /** DbClient over {@code dataSource} (the pool); it borrows a connection per statement. */
    public static Db over(DataSource dataSource) {
        return new Db(dataSource, List.of());
    }

    /** The same, with services that see every statement (metrics, tracing, tests). */
    public static Db over(DataSource dataSource, DbClientService... services) {
        return new Db(dataSource, List.of(services));
    }

    /** A transaction on {@code connection}, already in one (a JDBC caller's), for DbClient statements in it. */
    public static Tx within(Connection connection) {
        return new Tx(connection, List.of());
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Runs {@code work} with DbClient statements in auto-commit mode, each on a connection of its own. */
    public <T> T execute(Work<T> work) {
        try {
            return work.apply(client.execute());
        } catch (DbClientException e) {
            throw translate(e);
        } catch (SQLException e) {
            throw Jdbc.translate(e);
        }
    }

    /** Runs {@code work} in one transaction (see {@link Jdbc#transaction}: any throwable rolls back). */
    public <T> T transaction(TxWork<T> work) {
        try {
            return Jdbc.transaction(dataSource, connection -> work.apply(new Tx(connection, services)));
        } catch (DbClientException e) {
            throw translate(e);
        }
    }

    /** The rows of a DbClient query, mapped in order; the query's stream (and so its connection) is closed. */
    public static <T> List<T> list(Stream<DbRow> rows, RowMapper<T> mapper) throws SQLException {
        try (rows) {
            List<T> result = new ArrayList<>();
            for (Iterator<DbRow> it = rows.iterator(); it.hasNext(); ) {
                result.add(mapper.map(Row.of(it.next())));
            }
            return result;
        }
    }

    /** A DbClient failure as {@link Jdbc#translate} reads its SQL cause: unavailable (503) or a bug (500). */
    static RuntimeException translate(DbClientException e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                RuntimeException translated = Jdbc.translate(sql);
                translated.addSuppressed(e);
                return translated;
            }
        }
        return new IllegalStateException("database error: " + e.getMessage(), e);
    }

    private static Connection borrow(DataSource dataSource) {
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            throw Jdbc.translate(e);
        }
    }

    private static DbClient client(JdbcConnectionPool connections, List<DbClientService> services) {
        JdbcClientBuilder builder = JdbcClientBuilder.create()
                .connectionPool(connections)
                .mapperManager(Mappers.MAPPERS)
                .dbMapperManager(Mappers.DB_MAPPERS);
        services.forEach(builder::addService);
        return builder.build();
    }

    /** Built once: each is found through the service loader, too slow to repeat per transaction. */
    private static final class Mappers {
        static final MapperManager MAPPERS = MapperManager.create();
        static final DbMapperManager DB_MAPPERS = DbMapperManager.create();
    }
}
