package dev.campaignctl.cli;

import dev.campaignctl.core.config.DataDir;
import dev.campaignctl.core.db.DbConfig;
import dev.campaignctl.core.error.ApiException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the data lives: {@code --data-dir} for the embedded PostgreSQL, or {@code --db-url} for an external one. */
public final class DatabaseOptions {

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "State directory: embedded database, credentials (env CAMPAIGNCTL_HOME; default ~/.local/share/campaignctl).")
    Path dataDir;

    @Option(names = "--db-url", paramLabel = "URL",
            description = "External PostgreSQL, jdbc:postgresql://host:5432/db or postgresql://... (env DB_URL). Default: embedded.")
    String dbUrl;

    @Option(names = "--db-user", paramLabel = "USER",
            description = "Database user for --db-url (env DB_USER; password from env DB_PASSWORD).")
    String dbUser;

    public Path dataDir(Cli cli) {
        String setting = cli.setting(dataDir == null ? null : dataDir.toString(), "CAMPAIGNCTL_HOME", "data-dir");
        return DataDir.resolve(setting == null ? null : Path.of(setting), cli.env());
    }

    public boolean hasExternalUrl(Cli cli) {
        return cli.setting(dbUrl, "DB_URL", "db-url") != null;
    }

    public DbConfig config(Cli cli) {
        String url = cli.setting(dbUrl, "DB_URL", "db-url");
        if (url == null) {
            return DbConfig.embedded(dataDir(cli));
        }
        String user = cli.setting(dbUser, "DB_USER", "db-user");
        return DbConfig.external(jdbcUrl(url), user, cli.env("DB_PASSWORD"));
    }

    static String jdbcUrl(String url) {
        if (url.startsWith("jdbc:postgresql:")) {
            return url;
        }
        if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
            return "jdbc:postgresql://" + url.substring(url.indexOf("://") + 3);
        }
        throw ApiException.invalid("db-url", "must start with jdbc:postgresql:// or postgresql://, got \"" + url + "\"");
    }
}
