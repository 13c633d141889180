package dev.campaignctl.core.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.api.ErrorKind;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * A migrated PostgreSQL behind a connection pool: embedded (zonky, data kept on disk) or external.
 *
 * <pre>{@code
 * try (Database db = Database.open(DbConfig.embedded(dataDir))) { ... }
 * }</pre>
 */
public final class Database implements AutoCloseable {

    static final String EMBEDDED_DATABASE = "campaignctl";

    private final EmbeddedPostgres embedded;
    private final HikariDataSource pool;
    private final String url;
    private final Properties credentials;

    private Database(EmbeddedPostgres embedded, String url, Properties credentials, int poolSize) {
        this.embedded = embedded;
        this.url = url;
        this.credentials = credentials;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setDataSourceProperties(credentials);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(2, poolSize));
        config.setPoolName("campaignctl");
        config.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
        // Short: a wrong password should fail a CLI command in seconds, not after a long retry.
        config.setInitializationFailTimeout(Duration.ofSeconds(3).toMillis());
        try {
            this.pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "cannot connect to the database at " + url
                    + ": " + rootMessage(e), e);
        }
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
        EmbeddedPostgres postgres;
        String password;
        try {
            Files.createDirectories(config.embeddedDir());
            password = EmbeddedPassword.readOrCreate(config.embeddedDir());
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(config.embeddedDir().resolve("pgdata"))
                    .setCleanDataDirectory(false)
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("shared_buffers", "256MB")
                    .setConnectConfig("password", password)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "cannot start the embedded PostgreSQL in "
                    + config.embeddedDir() + " (is another campaignctl using it?): " + rootMessage(e), e);
        }
        try {
            EmbeddedPassword.require(postgres, config.embeddedDir().resolve("pgdata"), password);
            createDatabaseIfMissing(postgres);
        } catch (SQLException | IOException e) {
            closeQuietly(postgres);
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "embedded PostgreSQL failed: " + e.getMessage(), e);
        }
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("password", password);
        props.setProperty("reWriteBatchedInserts", "true");
        String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + EMBEDDED_DATABASE;
        try {
            return new Database(postgres, url, props, config.poolSize());
        } catch (RuntimeException e) {
            closeQuietly(postgres);
            throw e;
        }
    }

    private static void createDatabaseIfMissing(EmbeddedPostgres postgres) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + EMBEDDED_DATABASE + "'");
            if (!rs.next()) {
                s.execute("CREATE DATABASE " + EMBEDDED_DATABASE);
            }
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

    public String url() {
        return url;
    }

    @Override
    public void close() {
        pool.close();
        if (embedded != null) {
            closeQuietly(embedded);
        }
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
