package dev.campaignctl.core.ai.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.error.ApiException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Budget leases against what breaks them: requests that spend more than they reserved, a give-back
 * the database refuses, a busy replica beside an idle one, three replicas and a sweep of a dead
 * one's leases racing on token and USD budgets, revocation while another replica is busy. After
 * each, every key's reserved counters equal its lease rows, spent never passes the budget, and
 * once everyone is done nothing stays reserved.
 */
class KeyLeaseRacesTest extends KeyStoreTestBase {

    private String row(String sql) throws Exception {
        try (var c = db.dataSource().getConnection(); var s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            StringBuilder b = new StringBuilder();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                b.append(i > 1 ? " " : "").append(rs.getString(i));
            }
            return b.toString();
        }
    }

    /** A request that spent more than it reserved (a provider without usage, counted by estimate) takes no other's share. */
    @Test
    void aRequestSpendingMoreThanItReservedTakesNothingFromTheOthers() throws Exception {
        VirtualKey key = key(1_000_000L, null);
        List<KeyStore.Reservation> running = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            running.add(store.reserve(key, "m", 1_000, BigDecimal.ZERO));
        }
        // The provider counted more than prompt bound + max_tokens (e.g. usage absent, content/4 estimate).
        store.settle(running.get(0), 500, 16_000, BigDecimal.ZERO);
        long[] held = store.leasesHeld(key.id());
        assertThat(held[0] - held[1]).as("free in the lease").isNotNegative();
        // 983,500 tokens are left on the key: a 10-token ask fits.
        store.reserve(key, "m", 10, BigDecimal.ZERO);
        assertThat(row("SELECT spent_tokens, reserved_tokens = (SELECT sum(tokens) FROM ai_reservations) FROM ai_keys"))
                .isEqualTo("16500 t");
    }

    /** A lease whose give-back the database refused is given back at the next call, not left to the sweep. */
    @Test
    void aGiveBackThatFailsIsTriedAgainAtTheNextCall() throws Exception {
        VirtualKey key = key(10_000L, null);
        KeyStore.Reservation r = store.reserve(key, "m", 1_000, BigDecimal.ZERO);
        store.release(r);
        exec("CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'db hiccup'; END $$");
        exec("CREATE TRIGGER refuse_delete BEFORE DELETE ON ai_reservations FOR EACH ROW EXECUTE FUNCTION refuse_delete()");
        assertThatThrownBy(() -> store.maintainLeases(true));
        exec("DROP TRIGGER refuse_delete ON ai_reservations");
        // The database is fine again; the gateway calls maintainLeases a few times a second.
        store.maintainLeases(true);
        assertThat(row("SELECT reserved_tokens, (SELECT count(*) FROM ai_reservations) FROM ai_keys WHERE id = " + key.id()))
                .isEqualTo("0 0");
        KeyStore other = new KeyStore(db.dataSource());
        // Nothing in flight anywhere, nothing spent: the whole budget should be available.
        other.reserve(key, "m", 9_000, BigDecimal.ZERO);
    }

    /** Many requests on one key over three stores, each with one settler thread like ChatGateway's, until the budget runs out. */
    @Test
    void threeReplicasOnATokenBudget() throws Exception {
        runStress(key(20_000L, null), false);
    }

    @Test
    void threeReplicasOnAUsdBudgetAndALargeTokenBudget() throws Exception {
        runStress(key(5_000_000L, new BigDecimal("0.002000000007")), true);
    }

    /** Lets the race run for three seconds, stops it, waits for every party, and has each replica give back its unused leases. */
    private static void stopAfterThreeSeconds(AtomicBoolean running, List<Future<?>> all, List<KeyStore> replicas) throws Exception {
        Thread.sleep(3_000);
        running.set(false);
        for (Future<?> f : all) {
            f.get();
        }
        for (KeyStore replica : replicas) {
            replica.maintainLeases(true);
        }
    }

    /** A replica's settler, as ChatGateway's: batches of what is queued, idle leases given back, until stopped and drained. */
    private static java.util.concurrent.Callable<Void> settler(KeyStore replica, ConcurrentLinkedQueue<KeyStore.Settlement> queue,
                                                              AtomicBoolean running, List<String> errors) {
        return () -> {
            while (running.get() || !queue.isEmpty()) {
                List<KeyStore.Settlement> batch = new ArrayList<>();
                for (KeyStore.Settlement s; batch.size() < 500 && (s = queue.poll()) != null; ) {
                    batch.add(s);
                }
                try {
                    if (!batch.isEmpty()) {
                        replica.settleAll(batch);
                    }
                    replica.maintainLeases(false);
                } catch (RuntimeException e) {
                    errors.add("settler: " + e);
                    if (!batch.isEmpty()) {
                        replica.abandon(batch);
                    }
                }
                Thread.sleep(20);
            }
            return null;
        };
    }

    /** With a budget nothing here can exhaust, no request is ever refused. */
    @Test
    void threeReplicasOnAnAmpleBudgetAreNeverRefused() throws Exception {
        assertThat(runStress(key(1_000_000_000_000L, null), false)).isZero();
    }

    /**
     * A lease that grows while a settle of many of its requests is committed but not yet counted
     * here (the settler waits for the key's lock the growing request holds) still covers the ask. A
     * build that set its count to the row's figure at each growth refused it under load: the row had
     * given back those requests' share while this process still counted them in flight.
     */
    @Test
    void aLeaseGrowingWhileASettleIsNotYetCountedHereStillCovers() {
        long ask = 1_000_000_000L;
        VirtualKey key = key(1_000_000_000_000L, null);
        // Asks so large that a sixteenth of the room left bounds every growth (at most 62.5 asks);
        // reserved until the lease cannot cover one more.
        List<KeyStore.Reservation> running = new ArrayList<>();
        do {
            running.add(store.reserve(key, "m", ask, BigDecimal.ZERO));
        } while (running.size() < 450 || store.leasesHeld(key.id())[0] - store.leasesHeld(key.id())[1] >= ask);
        // Their share given back by the row, more than six growths (two tries of three asks) could add.
        List<KeyStore.Settlement> settled = new ArrayList<>();
        for (KeyStore.Reservation r : running.subList(0, running.size() - 8)) {
            settled.add(new KeyStore.Settlement(r, 10, 10, BigDecimal.ZERO));
        }
        store.writeSettles(settled);
        store.reserve(key, "m", ask, BigDecimal.ZERO);
    }

    /** USD per token in the races with USD budgets. */
    private static final BigDecimal PRICE = new BigDecimal("0.000000150001");

    /**
     * Ends a request as the gateway would: three in ten fail before the provider spends anything and
     * are released, the rest spend 1 to all of their tokens (USD at {@link #PRICE} when {@code usd})
     * and queue their settle; {@code spent} counts the tokens.
     */
    private static void releaseOrSettle(KeyStore replica, KeyStore.Reservation r, boolean usd, AtomicLong spent,
            ConcurrentLinkedQueue<KeyStore.Settlement> queue) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (rnd.nextInt(10) < 3) {
            replica.release(r);
            return;
        }
        long spend = 1 + rnd.nextLong(r.tokens());
        spent.addAndGet(spend);
        queue.add(new KeyStore.Settlement(r, spend / 2, spend - spend / 2, usd ? new BigDecimal(spend).multiply(PRICE) : BigDecimal.ZERO));
    }

    /** Races reserves, settles and releases on three replicas for three seconds; returns how many asks were refused. */
    private long runStress(VirtualKey key, boolean usd) throws Exception {
        List<KeyStore> replicas = List.of(store, new KeyStore(db.dataSource()), new KeyStore(db.dataSource()));
        List<ConcurrentLinkedQueue<KeyStore.Settlement>> queues = new ArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong spentTokens = new AtomicLong();
        AtomicLong ok = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (KeyStore replica : replicas) {
                ConcurrentLinkedQueue<KeyStore.Settlement> queue = new ConcurrentLinkedQueue<>();
                queues.add(queue);
                all.add(pool.submit(settler(replica, queue, running, violations)));
                for (int w = 0; w < 8; w++) {
                    all.add(pool.submit(() -> {
                        ThreadLocalRandom rnd = ThreadLocalRandom.current();
                        while (running.get()) {
                            long tokens = 50 + rnd.nextInt(450);
                            BigDecimal cost = usd ? new BigDecimal(tokens).multiply(PRICE) : BigDecimal.ZERO;
                            KeyStore.Reservation r;
                            try {
                                r = replica.reserve(key, "m", tokens, cost);
                                ok.incrementAndGet();
                            } catch (ApiException e) {
                                refused.incrementAndGet();
                                Thread.sleep(rnd.nextInt(5));
                                continue;
                            }
                            Thread.sleep(rnd.nextInt(10));
                            releaseOrSettle(replica, r, usd, spentTokens, queue);
                        }
                        return null;
                    }));
                }
            }
            all.add(pool.submit(() -> {
                while (running.get()) {
                    String check = row("SELECT k.reserved_tokens, COALESCE(sum(a.tokens),0), k.reserved_usd, COALESCE(sum(a.usd),0),"
                            + " k.spent_tokens, k.budget_tokens, k.spent_usd, k.budget_usd FROM ai_keys k LEFT JOIN ai_reservations a ON a.key_id = k.id"
                            + " WHERE k.id = " + key.id() + " GROUP BY k.id");
                    String[] f = check.split(" ");
                    if (!f[0].equals(f[1]) || new BigDecimal(f[2]).compareTo(new BigDecimal(f[3])) != 0
                            || (!f[5].equals("null") && Long.parseLong(f[4]) + Long.parseLong(f[0]) > Long.parseLong(f[5]))
                            || (!f[7].equals("null") && new BigDecimal(f[6]).add(new BigDecimal(f[2])).compareTo(new BigDecimal(f[7])) > 0)) {
                        violations.add(check);
                    }
                    Thread.sleep(5);
                }
                return null;
            }));
            stopAfterThreeSeconds(running, all, replicas);
        }
        String end = row("SELECT k.reserved_tokens, k.reserved_usd, k.spent_tokens, k.spent_usd, (SELECT count(*) FROM ai_reservations),"
                + " (SELECT COALESCE(sum(prompt_tokens + completion_tokens),0) FROM ai_spend) FROM ai_keys k WHERE k.id = " + key.id());
        assertThat(violations).as("reserved = sum of lease rows, spent + reserved <= budget").isEmpty();
        assertThat(ok.get()).isPositive();
        String[] e = end.split(" ");
        assertThat(Long.parseLong(e[0])).isZero();
        assertThat(Long.parseLong(e[4])).isZero();
        assertThat(Long.parseLong(e[2])).isEqualTo(spentTokens.get()).isEqualTo(Long.parseLong(e[5]));
        return refused.get();
    }

    /** A replica with steady traffic keeps at most a share of the room left, never what its requests did not spend. */
    @Test
    void aBusyReplicaLeavesTheRestOfTheBudgetToAnother() throws Exception {
        VirtualKey key = key(10_000L, null);
        KeyStore other = new KeyStore(db.dataSource());
        long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        int refusals = 0;
        String last = null;
        while (System.nanoTime() < deadline) {
            // Replica A: one small request every half second, answered at once (spend 10).
            KeyStore.Reservation r = store.reserve(key, "m", 1_000, BigDecimal.ZERO);
            store.settle(r, 5, 5, BigDecimal.ZERO);
            store.maintainLeases(false);
            other.maintainLeases(false);
            try {
                other.reserve(key, "m", 8_000, BigDecimal.ZERO);
                last = "granted";
                break;
            } catch (ApiException e) {
                refusals++;
                last = e.getMessage();
            }
            Thread.sleep(100);
        }
        assertThat(last).isEqualTo("granted");
        assertThat(refusals).isZero();
    }

    /** Several keys, three live replicas with settlers, and a dead replica's stale leases swept meanwhile. */
    @Test
    void sweepsOfADeadReplicasLeasesRaceLiveReplicasOnSeveralKeys() throws Exception {
        List<VirtualKey> keys = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            keys.add(key(3_000_000L, new BigDecimal("30")));
        }
        List<KeyStore> replicas = List.of(store, new KeyStore(db.dataSource()), new KeyStore(db.dataSource()));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong spent = new AtomicLong();
        AtomicLong swept = new AtomicLong();
        List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (KeyStore replica : replicas) {
                ConcurrentLinkedQueue<KeyStore.Settlement> queue = new ConcurrentLinkedQueue<>();
                all.add(pool.submit(settler(replica, queue, running, errors)));
                for (int w = 0; w < 6; w++) {
                    all.add(pool.submit(() -> {
                        ThreadLocalRandom rnd = ThreadLocalRandom.current();
                        while (running.get()) {
                            VirtualKey key = keys.get(rnd.nextInt(keys.size()));
                            long tokens = 50 + rnd.nextInt(450);
                            BigDecimal cost = new BigDecimal(tokens).multiply(PRICE);
                            KeyStore.Reservation r;
                            try {
                                r = replica.reserve(key, "m" + rnd.nextInt(2), tokens, cost);
                            } catch (ApiException e) {
                                errors.add("reserve: " + e.getMessage());
                                continue;
                            } catch (RuntimeException e) {
                                errors.add("reserve: " + e);
                                continue;
                            }
                            Thread.sleep(rnd.nextInt(20));
                            releaseOrSettle(replica, r, true, spent, queue);
                        }
                        return null;
                    }));
                }
            }
            all.add(pool.submit(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (running.get()) {
                    KeyStore dead = new KeyStore(db.dataSource());
                    long deadRow = dead.reserve(keys.get(rnd.nextInt(keys.size())), "m", 200, BigDecimal.ONE.movePointLeft(6)).id();
                    exec("UPDATE ai_reservations SET created_at = now() - interval '10 minutes' WHERE id = " + deadRow);
                    try {
                        swept.addAndGet(store.sweep(Duration.ofMinutes(2)));
                    } catch (RuntimeException e) {
                        errors.add("sweep: " + e);
                    }
                    Thread.sleep(30);
                }
                return null;
            }));
            all.add(pool.submit(() -> {
                while (running.get()) {
                    try (var c = db.dataSource().getConnection(); var st = c.createStatement();
                         var rs = st.executeQuery("SELECT k.id, k.reserved_tokens, COALESCE(sum(a.tokens),0), k.reserved_usd, COALESCE(sum(a.usd),0)"
                                 + " FROM ai_keys k LEFT JOIN ai_reservations a ON a.key_id = k.id GROUP BY k.id")) {
                        while (rs.next()) {
                            if (rs.getLong(2) != rs.getLong(3) || rs.getBigDecimal(4).compareTo(rs.getBigDecimal(5)) != 0) {
                                violations.add(rs.getLong(1) + ": " + rs.getLong(2) + " vs " + rs.getLong(3) + " / " + rs.getBigDecimal(4) + " vs " + rs.getBigDecimal(5));
                            }
                        }
                    }
                    Thread.sleep(10);
                }
                return null;
            }));
            stopAfterThreeSeconds(running, all, replicas);
        }
        store.sweep(Duration.ofMinutes(2));
        String end = row("SELECT sum(reserved_tokens), sum(reserved_usd), sum(spent_tokens), (SELECT count(*) FROM ai_reservations),"
                + " (SELECT COALESCE(sum(prompt_tokens + completion_tokens),0) FROM ai_spend) FROM ai_keys");
        assertThat(swept.get()).isPositive();
        assertThat(errors).isEmpty();
        assertThat(violations).isEmpty();
        String[] e = end.split(" ");
        assertThat(Long.parseLong(e[0])).isZero();
        assertThat(Long.parseLong(e[3])).isZero();
        assertThat(Long.parseLong(e[2])).isEqualTo(spent.get()).isEqualTo(Long.parseLong(e[4]));
    }

    /** Revoked on one replica, refused by another within about a second; what its running requests spent is still settled. */
    @Test
    void aKeyRevokedOnOneReplicaWhileAnotherHasRequestsInFlight() throws Exception {
        VirtualKey key = key(100_000L, null);
        KeyStore b = new KeyStore(db.dataSource());
        List<KeyStore.Reservation> inFlight = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inFlight.add(b.reserve(key, "m", 500, BigDecimal.ZERO));
        }
        store.revoke(key.id());
        long t0 = System.nanoTime();
        long lastGrant = -1;
        while (System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos()) {
            try {
                b.release(b.reserve(key, "m", 10, BigDecimal.ZERO));
                lastGrant = (System.nanoTime() - t0) / 1_000_000;
            } catch (ApiException e) {
                // refused
            }
            Thread.sleep(20);
        }
        for (KeyStore.Reservation r : inFlight) {
            b.settle(r, 100, 100, BigDecimal.ZERO);
        }
        b.maintainLeases(true);
        String end = row("SELECT spent_tokens, reserved_tokens, (SELECT count(*) FROM ai_reservations) FROM ai_keys WHERE id = " + key.id());
        assertThat(lastGrant).as("ms after the revocation").isLessThan(1_500);
        assertThat(end).isEqualTo("1000 0 0");
    }
}
