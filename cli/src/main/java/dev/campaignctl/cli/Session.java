package dev.campaignctl.cli;

import dev.campaignctl.core.api.DomainApi;
import dev.campaignctl.core.api.LocalDomainApi;
import dev.campaignctl.core.client.HttpDomainApi;
import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.config.CredentialsFile;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.server.ServerState;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One command's connection to the domain: remote over HTTP, or embedded on the database in this
 * process. Opened lazily, so commands that never connect never start a database.
 */
public final class Session implements AutoCloseable {

    private final DomainApi api;
    private final Database database;
    private final boolean shared;

    private Session(DomainApi api, Database database, boolean shared) {
        this.api = api;
        this.database = database;
        this.shared = shared;
    }

    /** A session for one command, or in a shell the one already open for the same target. */
    public static Session open(Cli cli, ConnectionOptions options) {
        if (cli.sessions() == null) {
            return connect(cli, options, false);
        }
        String key = options.url + "|" + options.embedded + "|" + options.database.dataDir(cli) + "|"
                + options.database.dbUrl + "|" + cli.env("DEMO_DOMAIN_URL") + "|" + cli.env("DB_URL") + "|" + cli.cacertFlag();
        return cli.sessions().get(key, () -> connect(cli, options, true));
    }

    private static Session connect(Cli cli, ConnectionOptions options, boolean shared) {
        Path dataDir = options.database.dataDir(cli);
        String url = cli.setting(options.url, "DEMO_DOMAIN_URL", "url");
        if (url == null && !options.embedded && !options.database.hasExternalUrl(cli)) {
            url = new ServerState(dataDir).domainUrl().orElse(null);
        }
        if (url != null) {
            Credentials credentials = clientCredentials(cli, dataDir).orElse(null);
            return new Session(new HttpDomainApi(URI.create(url),
                    credentials == null ? null : credentials.username(),
                    credentials == null ? null : credentials.password(), cli.trust()), null, shared);
        }
        Database database = Database.open(options.database.config(cli));
        return new Session(new LocalDomainApi(database, null, true), database, shared);
    }

    /** API_USERNAME / API_PASSWORD from the environment, else the data directory's generated credentials. */
    static Optional<Credentials> clientCredentials(Cli cli, Path dataDir) {
        String password = cli.setting(null, "API_PASSWORD", "password");
        if (password != null) {
            String user = cli.setting(null, "API_USERNAME", "username");
            return Optional.of(new Credentials(user == null ? Credentials.DEFAULT_USERNAME : user, password));
        }
        return new CredentialsFile(dataDir).read();
    }

    public DomainApi api() {
        return api;
    }

    /** True when this command works in-process, where no background processor decides new events. */
    public boolean embedded() {
        return database != null;
    }

    /** Decides the pending events now; only meaningful in embedded mode. */
    public EventProcessor.Outcome processPending() {
        return new EventProcessor(database, EventProcessor.Settings.defaults()).runUntilEmpty();
    }

    /** Embedded mode: a background processor for this session, so waiting for outcomes can end. */
    public EventProcessor startProcessor() {
        EventProcessor processor = new EventProcessor(database, EventProcessor.Settings.defaults());
        processor.start();
        return processor;
    }

    /** Ends a one-command session; a shell's shared session stays open until the shell ends. */
    @Override
    public void close() {
        if (!shared) {
            release();
        }
    }

    void release() {
        api.close();
    }
}
