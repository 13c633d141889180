package dev.campaignctl.core.db;

import java.nio.file.Path;

/**
 * Where the data lives: an external PostgreSQL by JDBC URL, or (url null) an embedded PostgreSQL
 * whose cluster is kept under {@code embeddedDir} so its data survives restarts.
 */
public record DbConfig(String url, String user, String password, Path embeddedDir, int poolSize) {

    public static final int DEFAULT_POOL_SIZE = 16;

    public static DbConfig embedded(Path dir) {
        return new DbConfig(null, null, null, dir, DEFAULT_POOL_SIZE);
    }

    public static DbConfig external(String url, String user, String password) {
        return new DbConfig(url, user, password, null, DEFAULT_POOL_SIZE);
    }

    public boolean isEmbedded() {
        return url == null;
    }

    public DbConfig withPoolSize(int size) {
        return new DbConfig(url, user, password, embeddedDir, size);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return isEmbedded() ? "embedded PostgreSQL in " + embeddedDir : url + (user == null ? "" : " as " + user);
    }
}
