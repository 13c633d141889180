package dev.campaignctl.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded cluster asks every connection for its superuser's password, also after a restart. */
class EmbeddedPasswordTest {

    @Test
    void theEmbeddedClusterRefusesConnectionsWithoutItsPasswordAndOlderTrustingClustersAreSwitched(@TempDir Path home)
            throws Exception {
        try (Database db = Database.open(DbConfig.embedded(home))) {
            assertThat(count(db)).isZero();
        }
        Path file = home.resolve(EmbeddedPassword.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(home.resolve("pgdata/pg_hba.conf"))).startsWith(EmbeddedPassword.MARKER)
                .doesNotContain("trust");

        try (Database db = Database.open(DbConfig.embedded(home))) {
            assertThatThrownBy(() -> connect(db.url(), null)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("password");
            assertThatThrownBy(() -> connect(db.url(), "wrong")).isInstanceOf(SQLException.class);
            try (Connection connection = connect(db.url(), EmbeddedPassword.read(home).orElseThrow())) {
                assertThat(connection.isValid(1)).isTrue();
            }
        }

        // A cluster from before passwords: zonky's trusting pg_hba.conf and no password file.
        Files.writeString(home.resolve("pgdata/pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n");
        Files.delete(file);
        try (Database db = Database.open(DbConfig.embedded(home))) {
            assertThat(count(db)).isZero();
            assertThat(EmbeddedPassword.read(home)).isPresent();
            assertThatThrownBy(() -> connect(db.url(), null)).isInstanceOf(SQLException.class);
        }
        assertThat(Files.readString(home.resolve("pgdata/pg_hba.conf"))).startsWith(EmbeddedPassword.MARKER);
    }

    private static long count(Database db) throws SQLException {
        try (Connection connection = db.connection();
             ResultSet rows = connection.createStatement().executeQuery("SELECT count(*) FROM campaigns")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static Connection connect(String url, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        if (password != null) {
            props.setProperty("password", password);
        }
        return DriverManager.getConnection(url, props);
    }
}
