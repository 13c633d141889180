package dev.campaignctl.server;

import dev.campaignctl.core.api.LocalDomainApi;
import dev.campaignctl.core.config.ConfigurationStore;
import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.db.Database;

/** The domain service as most server tests start it: on loopback, port 0, the admin user with {@code password}. */
final class TestDomainServers {

    private TestDomainServers() {
    }

    static DomainServer start(Database db, String password) {
        var auth = new ConfigurationStore(db.dataSource()).authenticator(new Credentials("admin", password));
        return DomainServer.start("127.0.0.1", 0, new LocalDomainApi(db, null, false), auth);
    }
}
