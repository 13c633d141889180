package dev.campaignctl.core.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.metrics.Metrics;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * A migrated PostgreSQL behind a connection pool: embedded ({@link EmbeddedCluster}: zonky, data kept
 * on disk, durable settings, supervised) or external.
 *
 * <pre>{@code
 * try (Database db = Database.open(DbConfig.embedded(dataDir))) { ... }
 * }</pre>
 */
public final class Database implements AutoCloseable {

    private static final MetricsTrackerFactory POOL_METRICS = new MicrometerMetricsTrackerFactory(Metrics.registry());
    /**
     * Names of the pools open in this process. Hikari's meters are keyed by pool name alone: a
     * second open pool of one name would report the first one's figures, and lose its meters
     * when the first closes.
     */
    private static final Set<String> OPEN_POOLS = ConcurrentHashMap.newKeySet();

    private final EmbeddedCluster embedded;
    private final HikariDataSource pool;
    private final Db db;
    private final List<HikariDataSource> separatePools = new ArrayList<>();
    private final String url;
    private final Properties credentials;

    private Database(EmbeddedCluster embedded, String url, Properties credentials, int poolSize) {
        this.embedded = embedded;
        this.url = url;
        this.credentials = credentials;
        try {
            this.pool = newPool("campaignctl", poolSize);
        } catch (RuntimeException e) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "cannot connect to the database at " + url
                    + ": " + EmbeddedCluster.rootMessage(e), e);
        }
        this.db = Db.over(pool);
    }

    private HikariDataSource newPool(String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setDataSourceProperties(credentials);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(Math.min(2, size));
        String unique = uniquePoolName(name);
        config.setPoolName(unique);
        config.setMetricsTrackerFactory(POOL_METRICS);
        // A request that finds every connection busy for this long is answered 503 (Retry-After)
        // rather than queued for ever behind the others.
        config.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
        // Short: a wrong password should fail a CLI command in seconds, not after a long retry.
        config.setInitializationFailTimeout(Duration.ofSeconds(3).toMillis());
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            OPEN_POOLS.remove(unique);
            throw e;
        }
    }

    /** {@code name} when no open pool has it (a process with one database), else {@code name-2}, {@code name-3}... */
    private static String uniquePoolName(String name) {
        for (int n = 1; ; n++) {
            String candidate = n == 1 ? name : name + "-" + n;
            if (OPEN_POOLS.add(candidate)) {
                return candidate;
            }
        }
    }

    private static void closePool(HikariDataSource pool) {
        // Only the first close frees the name: by a second one, another pool may have taken it.
        if (!pool.isClosed()) {
            pool.close();
            OPEN_POOLS.remove(pool.getPoolName());
        }
    }

    /**
     * Another pool of {@code size} connections on the same database, closed with this one: for
     * work that must neither wait behind the API's requests nor take their connections (the
     * event processor).
     */
    public synchronized DataSource separatePool(String name, int size) {
        HikariDataSource separate = newPool("campaignctl-" + name, size);
        separatePools.add(separate);
        return separate;
    }

    /** Opens (starting it first when embedded) and migrates the database. */
    public static Database open(DbConfig config) {
        Database database = config.isEmbedded() ? startEmbedded(config) : connect(config);
        try {
            database.migrate();
            return database;
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private static Database connect(DbConfig config) {
        Properties props = new Properties();
        if (config.user() != null) {
            props.setProperty("user", config.user());
        }
        if (config.password() != null) {
            props.setProperty("password", config.password());
        }
        props.setProperty("reWriteBatchedInserts", "true");
        return new Database(null, config.url(), props, config.poolSize());
    }

    private static Database startEmbedded(DbConfig config) {
        EmbeddedCluster cluster = EmbeddedCluster.start(config.embeddedDir());
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("password", cluster.password());
        props.setProperty("reWriteBatchedInserts", "true");
        String url = "jdbc:postgresql://localhost:" + cluster.port() + "/" + EmbeddedCluster.DATABASE;
        try {
            return new Database(cluster, url, props, config.poolSize());
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    void migrate() {
        Flyway.configure()
                .dataSource(pool)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    public DataSource dataSource() {
        return pool;
    }

    /** Helidon DbClient on {@link #dataSource()}, for the stores' statements. */
    public Db db() {
        return db;
    }

    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /** A connection outside the pool, for a long-lived LISTEN that must not hold a pool slot. */
    public Connection dedicatedConnection() throws SQLException {
        return DriverManager.getConnection(url, credentials);
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    /**
     * Fails at once while the embedded PostgreSQL is down and being restarted, so a readiness probe
     * answers 503 now instead of after the pool's connection timeout.
     */
    public void requireRunning() {
        if (embedded != null && !embedded.isUp()) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "the embedded PostgreSQL is not running; it is being restarted");
        }
    }

    public String url() {
        return url;
    }

    @Override
    public void close() {
        synchronized (this) {
            separatePools.forEach(Database::closePool);
            separatePools.clear();
        }
        closePool(pool);
        if (embedded != null) {
            embedded.close();
        }
    }
}
