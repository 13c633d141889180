package dev.campaignctl.core.ai.keys;

import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.testing.TestDatabases;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A fresh database and key store per test, with the helpers the key tests share. */
abstract class KeyStoreTestBase {

    protected Database db;
    protected KeyStore store;

    @BeforeEach
    void openStore() {
        db = TestDatabases.fresh();
        store = new KeyStore(db.dataSource());
    }

    @AfterEach
    void closeStore() {
        db.close();
    }

    protected VirtualKey key(Long budgetTokens, BigDecimal budgetUsd) {
        return store.create(new KeySpec("k", budgetTokens, budgetUsd, null, null, null), Instant.now()).stored();
    }

    protected long scalar(String sql) throws Exception {
        try (var c = db.dataSource().getConnection(); var s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    protected void exec(String sql) throws Exception {
        try (var c = db.dataSource().getConnection(); var s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
