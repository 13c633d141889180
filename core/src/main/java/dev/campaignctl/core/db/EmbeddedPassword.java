package dev.campaignctl.core.db;

import dev.campaignctl.core.secrets.Secrets;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The embedded PostgreSQL's superuser password, in {@code <data dir>/db-password} (owner-only).
 * zonky creates clusters that trust every local connection; on first start {@link #require} gives
 * the superuser this password and makes the cluster ask for it (scram-sha-256), so other local
 * users cannot reach the data. Clusters made before this existed are switched the same way.
 */
public final class EmbeddedPassword {

    static final String FILE = "db-password";
    /** First line of a pg_hba.conf we wrote; its absence means the cluster still trusts everyone. */
    static final String MARKER = "# campaignctl: every connection gives the superuser's password";

    private EmbeddedPassword() {
    }

    /** The password of the embedded cluster in {@code dataDir}, for processes that share it. */
    public static Optional<String> read(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        try {
            String password = Files.readString(file, StandardCharsets.UTF_8).strip();
            return password.isEmpty() ? Optional.empty() : Optional.of(password);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static String readOrCreate(Path dataDir) throws IOException {
        Optional<String> existing = read(dataDir);
        if (existing.isPresent()) {
            return existing.get();
        }
        String password = Secrets.randomPassword(32);
        Secrets.writeOwnerOnly(dataDir.resolve(FILE), password + "\n");
        return password;
    }

    /**
     * Makes a cluster that still trusts local connections ask for {@code password}: sets it, then
     * replaces pg_hba.conf and reloads. Each step can be repeated, so a start that stopped halfway
     * finishes the switch the next time.
     */
    static void require(EmbeddedPostgres postgres, Path pgdata, String password) throws SQLException, IOException {
        Path hba = pgdata.resolve("pg_hba.conf");
        if (Files.isReadable(hba) && Files.readString(hba, StandardCharsets.UTF_8).startsWith(MARKER)) {
            return;
        }
        if (!Secrets.isGenerated(password)) {
            // It goes into DDL, which takes no bind parameters: only our own alphabet may.
            throw new IOException(pgdata.resolveSibling(FILE) + " holds characters this tool never writes; remove it to start anew");
        }
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("ALTER USER postgres PASSWORD '" + password + "'");
            Path temp = pgdata.resolve("pg_hba.conf.campaignctl");
            Files.writeString(temp, MARKER + "\n"
                    + "local all all scram-sha-256\n"
                    + "host all all 127.0.0.1/32 scram-sha-256\n"
                    + "host all all ::1/128 scram-sha-256\n", StandardCharsets.UTF_8);
            Files.move(temp, hba, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            statement.execute("SELECT pg_reload_conf()");
        }
    }
}
