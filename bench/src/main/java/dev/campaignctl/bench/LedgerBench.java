package dev.campaignctl.bench;

import dev.campaignctl.core.client.HttpJson;
import dev.campaignctl.core.config.Credentials;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.db.DbConfig;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.ledger.LedgerStore;
import dev.campaignctl.core.ledger.VerifyReport;
import dev.campaignctl.server.ServeOptions;
import dev.campaignctl.server.Services;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

/**
 * The ledger benchmark, with durability on (it prints the settings): balances of 100,000 customers
 * read at 64 connections, redemptions at 64 connections spread over 10,000 customers, and all on
 * one hot customer — whose answers must stay exact (ledger verify clean, no negative balance).
 * Run: {@code scripts/bench-ledger [SECONDS]}.
 */
public final class LedgerBench {

    private static final String PASSWORD = "bench-" + System.nanoTime();

    private LedgerBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path home = Files.createTempDirectory("campaignctl-ledger");
        ServeOptions options = new ServeOptions(DbConfig.embedded(home), home, "127.0.0.1", 0,
                new Credentials("admin", PASSWORD), EventProcessor.Settings.defaults(), false);
        try (Services services = Services.startDomain(options, new PrintWriter(System.err, true))) {
            Database db = services.api().database();
            DurableReferences.durable(db);
            seed(db, 100_000);
            String base = "http://127.0.0.1:" + services.domainPort();
            String auth = HttpJson.basic("admin", PASSWORD);
            report("GET /customers/{id}/balance over 100,000 customers", DurableReferences.wrk(base, auth,
                    "request = function() return wrk.format(\"GET\", \"/customers/C\" .. math.random(1, 100000) .. \"/balance\") end\n",
                    seconds), "target p50 <= 2 ms");
            report("POST /customers/{id}/redemptions over 10,000 customers", DurableReferences.wrk(base, auth,
                    "request = function() return wrk.format(\"POST\", \"/customers/C\" .. math.random(1, 10000) .. \"/redemptions\","
                            + " nil, '{\"points\": 1}') end\n", seconds), "target >= 5000 req/s");
            report("POST /customers/C1/redemptions (one hot customer)", DurableReferences.wrk(base, auth,
                    "request = function() return wrk.format(\"POST\", \"/customers/C1/redemptions\", nil, '{\"points\": 1}') end\n",
                    seconds), "correct answers at whatever rate");
            VerifyReport verify = new LedgerStore(db.dataSource()).verify();
            System.out.printf("ledger verify after the runs: %d customers, %d entries, %d mismatches; hot customer's balance %s%n",
                    verify.customers(), verify.entries(), verify.mismatches().size(),
                    services.api().balance("C1").available().toPlainString());
        }
    }

    private static void report(String what, DurableReferences.Wrk wrk, String target) {
        if (wrk == null) {
            return;
        }
        System.out.printf("%s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d non-2xx/errors (%s)%n", what,
                wrk.requestsPerSecond(), wrk.p50Millis(), wrk.p99Millis(), wrk.errors(), target);
    }

    /** Customers C1..Cn with 1,000,000 points each, as adjustments: entries, lots and balances that verify. */
    private static void seed(Database db, int customers) throws Exception {
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO ledger_entries (customer_id, type, points, reason, actor) SELECT 'C' || g, 'adjust',"
                    + " 1000000, 'bench', 'bench' FROM generate_series(1, " + customers + ") AS g");
            s.execute("INSERT INTO lots (customer_id, entry_id, points, remaining) SELECT customer_id, id, points, points"
                    + " FROM ledger_entries WHERE reason = 'bench'");
            s.execute("INSERT INTO balances (customer_id, available, adjusted) SELECT customer_id, points, points"
                    + " FROM ledger_entries WHERE reason = 'bench'");
            s.execute("ANALYZE");
        }
        System.out.printf("seeded %d customers%n", customers);
    }
}
