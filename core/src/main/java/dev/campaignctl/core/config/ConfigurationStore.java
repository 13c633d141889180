package dev.campaignctl.core.config;

import dev.campaignctl.core.db.Jdbc;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;
import javax.sql.DataSource;

/** The {@code configuration} table: settings by key, including the API username and password hash. */
public final class ConfigurationStore {

    public static final String API_USERNAME = "api.username";
    public static final String API_PASSWORD_HASH = "api.password_hash";

    private final DataSource dataSource;

    public ConfigurationStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<String> get(String key) {
        return Jdbc.call(dataSource, connection -> {
            try (PreparedStatement ps = connection.prepareStatement("SELECT value FROM configuration WHERE key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    public void put(String key, String value) {
        Jdbc.call(dataSource, connection -> {
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO configuration (key, value)"
                    + " VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()")) {
                ps.setString(1, key);
                ps.setString(2, value);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * The authenticator for the API: given credentials are stored (hashed) and used; without them the
     * stored ones are used, so a replica that shares the database needs no password of its own. A
     * stored hash weaker than today's is replaced by a stronger one at the next successful check.
     */
    public Authenticator authenticator(Credentials given) {
        if (given != null) {
            Optional<String> storedHash = get(API_PASSWORD_HASH);
            boolean same = storedHash.isPresent() && get(API_USERNAME).orElse("").equals(given.username())
                    && PasswordHash.verify(given.password(), storedHash.get());
            if (!same || PasswordHash.needsRehash(storedHash.get())) {
                put(API_USERNAME, given.username());
                put(API_PASSWORD_HASH, PasswordHash.hash(given.password()));
            }
            // Just checked or just stored: the valid pair needs no hashing on any request.
            return new Authenticator(given.username(), get(API_PASSWORD_HASH).orElseThrow(), this::storeHash)
                    .knownValid(given.password());
        }
        String user = get(API_USERNAME).orElseThrow(() -> new IllegalStateException("no API credentials configured"));
        return new Authenticator(user, get(API_PASSWORD_HASH).orElseThrow(), this::storeHash);
    }

    private void storeHash(String hash) {
        put(API_PASSWORD_HASH, hash);
    }
}
