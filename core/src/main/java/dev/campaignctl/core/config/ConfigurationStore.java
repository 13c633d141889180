package dev.campaignctl.core.config;

import dev.campaignctl.core.db.Db;
import java.util.Optional;
import javax.sql.DataSource;

/** The {@code configuration} table: settings by key, including the API username and password hash. */
public final class ConfigurationStore {

    public static final String API_USERNAME = "api.username";
    public static final String API_PASSWORD_HASH = "api.password_hash";

    private static final String GET = "SELECT value FROM configuration WHERE key = ?";
    private static final String PUT = "INSERT INTO configuration (key, value) VALUES (?, ?)"
            + " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()";

    private final Db db;

    public ConfigurationStore(Db db) {
        this.db = db;
    }

    public ConfigurationStore(DataSource dataSource) {
        this(Db.over(dataSource));
    }

    public Optional<String> get(String key) {
        return db.execute(exec -> exec.createNamedGet("configuration.get", GET).addParam(key).execute()
                .map(row -> row.column("value").get(String.class)));
    }

    public void put(String key, String value) {
        db.execute(exec -> exec.createNamedInsert("configuration.put", PUT).addParam(key).addParam(value).execute());
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
