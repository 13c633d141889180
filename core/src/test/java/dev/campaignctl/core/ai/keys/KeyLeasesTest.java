package dev.campaignctl.core.ai.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.error.ApiException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Budget leases: requests reserve from their process's lease, the database only when it runs short;
 * never past the budget, whatever the number of replicas, sweeps and settles at once.
 */
class KeyLeasesTest extends KeyStoreTestBase {

    private VirtualKey key(long budgetTokens) {
        return key(budgetTokens, null);
    }

    @Test
    void aLeaseGrowsByWhatIsMissingAndAnAskThatDoesNotFitIsRefusedWithTheFigures() {
        VirtualKey key = key(1_000);
        // The first lease holds the ask and, as spare, at most a quarter of the room left.
        KeyStore.Reservation first = store.reserve(key, "m", 600, BigDecimal.ZERO);
        assertThat(store.get(key.id()).reservedTokens()).isEqualTo(600);
        assertThatThrownBy(() -> store.reserve(key, "m", 600, BigDecimal.ZERO))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo("budget_tokens_exceeded");
                    assertThat(e.getMessage()).contains("600 reserved", "400 left");
                });
        KeyStore.Reservation second = store.reserve(key, "m", 300, BigDecimal.ZERO);
        assertThat(second.id()).as("the same lease, grown").isEqualTo(first.id());
        assertThat(store.get(key.id()).reservedTokens()).isEqualTo(900);
    }

    @Test
    void requestsReserveFromTheLeaseWithoutTheDatabaseUntilItRunsShort() throws Exception {
        VirtualKey key = key(1_000_000);
        KeyStore.Reservation first = store.reserve(key, "m", 100, BigDecimal.ONE);
        // Room for sixteen asks like it: the next fifteen change nothing in the database.
        long leased = store.get(key.id()).reservedTokens();
        assertThat(leased).isEqualTo(16 * 100);
        for (int i = 0; i < 15; i++) {
            assertThat(store.reserve(key, "m", 100, BigDecimal.ONE).id()).isEqualTo(first.id());
        }
        assertThat(store.get(key.id()).reservedTokens()).isEqualTo(leased);
        store.reserve(key, "m", 100, BigDecimal.ONE);
        assertThat(store.get(key.id()).reservedTokens()).isGreaterThan(leased);
        assertThat(scalar("SELECT count(*) FROM ai_reservations")).isEqualTo(1);
    }

    /**
     * A busy key's lease grows by what its requests here asked for in about 100 ms, so the durable
     * growth the key's requests wait for comes ten times a second, not once per sixteen requests.
     */
    @Test
    void aBusyLeaseGrowsByTheAsksOfATenthOfASecondAtTheirRate() {
        VirtualKey key = key(1_000_000_000_000L);
        long begin = System.nanoTime();
        for (int i = 0; i < 17; i++) {
            store.reserve(key, "m", 100, BigDecimal.ONE);
        }
        // The seventeenth ask grew the lease: by the sixteen asks since the first growth scaled to 100 ms
        // at their rate, measured here from before the first (a longer span, so a lower bound).
        double elapsed = System.nanoTime() - begin;
        long atRate = (long) Math.min(4096, Math.max(16, 16 * 100e6 / elapsed));
        long[] held = store.leasesHeld(key.id());
        assertThat(held[1]).isEqualTo(17 * 100);
        assertThat(held[0]).isGreaterThanOrEqualTo(16 * 100 + atRate * 100);
        assertThat(store.get(key.id()).reservedTokens()).isEqualTo(held[0]);
    }

    @Test
    void aRevokedKeyIsRefusedAtOnceHereAndWithinASecondByAnotherReplica() {
        VirtualKey key = key(1_000_000);
        KeyStore replica = new KeyStore(db.dataSource());
        replica.reserve(key, "m", 10, BigDecimal.ZERO);
        store.reserve(key, "m", 10, BigDecimal.ZERO);
        store.revoke(key.id());
        assertThatThrownBy(() -> store.reserve(key, "m", 10, BigDecimal.ZERO))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("revoked"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThatThrownBy(() -> replica.reserve(key, "m", 10, BigDecimal.ZERO))
                        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("revoked")));
    }

    @Test
    void unusedLeasesGoBackToTheirKeyAndOnesInUseStay() throws Exception {
        VirtualKey key = key(10_000);
        KeyStore.Reservation done = store.reserve(key, "m", 100, BigDecimal.ZERO);
        KeyStore.Reservation running = store.reserve(key, "m", 100, BigDecimal.ZERO);
        store.settle(done, 40, 20, BigDecimal.ZERO);
        store.maintainLeases(true);
        assertThat(scalar("SELECT count(*) FROM ai_reservations")).as("a request is still running on it").isEqualTo(1);
        store.release(running);
        store.maintainLeases(true);
        VirtualKey after = store.get(key.id());
        assertThat(after.reservedTokens()).isZero();
        assertThat(after.spentTokens()).isEqualTo(60);
        assertThat(scalar("SELECT count(*) FROM ai_reservations")).isZero();
        // A new lease after that.
        store.reserve(key, "m", 100, BigDecimal.ZERO);
        assertThat(store.get(key.id()).reservedTokens()).isPositive();
    }

    @Test
    void twoReplicasRacingForOneBudgetNeverReserveMoreThanIt() throws Exception {
        VirtualKey key = key(10_000);
        List<KeyStore> replicas = List.of(store, new KeyStore(db.dataSource()), new KeyStore(db.dataSource()));
        List<Future<Long>> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 96; i++) {
                KeyStore replica = replicas.get(i % 3);
                long tokens = 300 + 100L * (i % 7);
                outcomes.add(pool.submit(() -> {
                    try {
                        replica.reserve(key, "m", tokens, BigDecimal.ZERO);
                        return tokens;
                    } catch (ApiException refused) {
                        assertThat(refused.code()).isEqualTo("budget_tokens_exceeded");
                        return 0L;
                    }
                }));
            }
        }
        long granted = outcomes.stream().mapToLong(Future::resultNow).sum();
        long reserved = store.get(key.id()).reservedTokens();
        assertThat(granted).isPositive().isLessThanOrEqualTo(reserved);
        assertThat(reserved).isLessThanOrEqualTo(10_000).isEqualTo(scalar("SELECT sum(tokens) FROM ai_reservations"));
    }

    private final List<Long> asked = new java.util.concurrent.CopyOnWriteArrayList<>();

    private long reservedByAsks(List<Future<Boolean>> outcomes) {
        long sum = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            sum += outcomes.get(i).resultNow() ? asked.get(i) : 0;
        }
        return sum;
    }

    @Test
    void concurrentAsksOfOneKeyNeverReserveMoreThanItsBudget() throws Exception {
        VirtualKey key = key(10_000);
        List<Future<Boolean>> outcomes = new ArrayList<>();
        asked.clear();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 64; i++) {
                long tokens = 300 + 100L * (i % 7);
                asked.add(tokens);
                outcomes.add(pool.submit(() -> {
                    try {
                        store.reserve(key, "m", tokens, BigDecimal.ZERO);
                        return true;
                    } catch (ApiException refused) {
                        return false;
                    }
                }));
            }
        }
        long reserved = store.get(key.id()).reservedTokens();
        long granted = outcomes.stream().filter(f -> f.resultNow()).count();
        assertThat(reserved).isLessThanOrEqualTo(10_000).isGreaterThan(10_000 - 900)
                .isEqualTo(scalar("SELECT sum(tokens) FROM ai_reservations WHERE key_id = " + key.id()));
        assertThat(granted).isBetween(11L, 33L);
        assertThat(store.leasesHeld(key.id())).as("held and in flight here").containsExactly(reserved, reservedByAsks(outcomes));
    }

    @Test
    void theSweepReleasesStaleLeasesAndASettleAfterItStillCountsItsSpend() {
        VirtualKey key = key(1_000);
        KeyStore.Reservation reservation = store.reserve(key, "m", 400, BigDecimal.ZERO);
        assertThat(store.sweep(Duration.ZERO)).isEqualTo(1);
        assertThat(store.get(key.id()).reservedTokens()).isZero();

        store.settle(reservation, 100, 50, BigDecimal.ZERO);
        VirtualKey after = store.get(key.id());
        assertThat(after.reservedTokens()).as("nothing given back twice").isZero();
        assertThat(after.spentTokens()).isEqualTo(150);
        // The swept lease is not used again: the next request takes a new one from the database.
        KeyStore.Reservation next = store.reserve(key, "m", 400, BigDecimal.ZERO);
        assertThat(next.id()).isNotEqualTo(reservation.id());
        assertThat(store.get(key.id()).reservedTokens()).isBetween(400L, 850L);
    }

    /**
     * Settles of batches over many keys racing sweeps of the same reservations leave nothing
     * reserved and count every spend once; either failing (a deadlock among them, say) fails the test.
     */
    @Test
    void settlesRacingSweepsOverManyKeysLeaveNothingReservedAndCountEverySpend() throws Exception {
        List<VirtualKey> keys = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            keys.add(key(1_000_000));
        }
        List<KeyStore.Settlement> settlements = new ArrayList<>();
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 400; i++) {
            KeyStore.Reservation r = store.reserve(keys.get(random.nextInt(keys.size())), "m" + (i % 3), 100, BigDecimal.ONE);
            settlements.add(new KeyStore.Settlement(r, 10, 20, new BigDecimal("0.5")));
        }
        java.util.Collections.shuffle(settlements, random);
        java.util.concurrent.atomic.AtomicBoolean settling = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int first = t;
                runs.add(pool.submit(() -> {
                    for (int i = first * 20; i < settlements.size(); i += 40) {
                        store.settleAll(settlements.subList(i, Math.min(i + 20, settlements.size())));
                    }
                    return null;
                }));
            }
            runs.add(pool.submit(() -> {
                while (settling.get()) {
                    store.sweep(Duration.ZERO);
                }
                return null;
            }));
            try {
                for (Future<?> run : runs.subList(0, 2)) {
                    run.get();
                }
            } finally {
                settling.set(false);
            }
            runs.get(2).get();
        }
        store.maintainLeases(true);
        long spent = 0;
        for (VirtualKey key : keys) {
            VirtualKey now = store.get(key.id());
            assertThat(now.reservedTokens()).isZero();
            assertThat(now.reservedUsd()).isEqualByComparingTo("0");
            spent += now.spentTokens();
        }
        assertThat(spent).isEqualTo(400 * 30);
    }

    /** A batch whose commit succeeded but whose answer was lost is sent again: nothing is counted twice. */
    @Test
    void aSettleSentAgainAfterItsAnswerWasLostCountsNothingTwice() throws Exception {
        VirtualKey key = key(10_000);
        KeyStore.Reservation lost = store.reserve(key, "m", 400, BigDecimal.ZERO);
        KeyStore.Reservation running = store.reserve(key, "m", 400, BigDecimal.ZERO);
        List<KeyStore.Settlement> batch = List.of(new KeyStore.Settlement(lost, 100, 50, BigDecimal.ZERO));
        store.writeSettles(batch);
        store.settleAll(batch);
        assertThat(store.get(key.id()).spentTokens()).isEqualTo(150);
        assertThat(scalar("SELECT count(*) FROM ai_spend")).isEqualTo(1);
        assertThat(scalar("SELECT sum(requests) FROM ai_usage")).isEqualTo(1);
        assertThat(store.get(key.id()).reservedTokens()).isEqualTo(scalar("SELECT sum(tokens) FROM ai_reservations"));

        store.settle(running, 10, 10, BigDecimal.ZERO);
        store.maintainLeases(true);
        VirtualKey after = store.get(key.id());
        assertThat(after.spentTokens()).isEqualTo(170);
        assertThat(after.reservedTokens()).isZero();
        assertThat(scalar("SELECT count(*) FROM ai_reservations")).isZero();
    }

    @Test
    void aSettleWhoseAuditRowsCannotBeWrittenCountsNothingAndCanBeSentAgain() throws Exception {
        try (var c = db.connection(); var st = c.createStatement()) {
            st.execute("CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$ BEGIN RAISE EXCEPTION 'audit refused by the test'; END $$");
            st.execute("CREATE TRIGGER refuse_audit BEFORE INSERT ON ai_spend FOR EACH ROW EXECUTE FUNCTION refuse_audit()");
        }
        VirtualKey key = key(1_000);
        KeyStore.Reservation reservation = store.reserve(key, "m", 400, BigDecimal.ZERO);

        List<KeyStore.Settlement> batch = List.of(new KeyStore.Settlement(reservation, 100, 50, BigDecimal.ZERO));
        // The counters, the usage and the audit rows are one statement: all of it or none.
        assertThatThrownBy(() -> store.settleAll(batch)).hasMessageContaining("audit refused");
        assertThat(store.get(key.id()).spentTokens()).isZero();
        assertThat(store.leasesHeld(key.id())[1]).as("still in flight here").isEqualTo(400);

        try (var c = db.connection(); var st = c.createStatement()) {
            st.execute("DROP TRIGGER refuse_audit ON ai_spend");
        }
        store.settleAll(batch);
        assertThat(store.get(key.id()).spentTokens()).isEqualTo(150);
        assertThat(scalar("SELECT sum(prompt_tokens + completion_tokens) FROM ai_spend")).isEqualTo(150);
        store.maintainLeases(true);
        assertThat(store.get(key.id()).reservedTokens()).isZero();
    }

    /** Audit rows written before V12 had no request id; V13 gives them one and keys the table by it. */
    @Test
    void auditRowsFromBeforeRequestIdsSurviveTheUpgradeAndSettlesGoOn() throws Exception {
        VirtualKey key = key(10_000);
        store.settle(store.reserve(key, "m", 400, BigDecimal.ZERO), 100, 50, BigDecimal.ZERO);
        String v13;
        try (var in = getClass().getResourceAsStream("/db/migration/V13__ai_spend_by_request.sql")) {
            v13 = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        try (var c = db.connection(); var st = c.createStatement()) {
            // The table as V12 left it, with a row settled before V12.
            st.execute("ALTER TABLE ai_spend DROP CONSTRAINT ai_spend_pkey");
            st.execute("ALTER TABLE ai_spend ALTER COLUMN request_id DROP NOT NULL");
            st.execute("CREATE UNIQUE INDEX ai_spend_request_idx ON ai_spend (request_id)");
            st.execute("ALTER TABLE ai_spend ADD COLUMN id BIGSERIAL PRIMARY KEY");
            st.execute("INSERT INTO ai_spend (key_id, reservation_id, model, prompt_tokens, completion_tokens, usd)"
                    + " VALUES (" + key.id() + ", 0, 'm', 7, 3, 0)");
            st.execute(v13);
        }
        assertThat(scalar("SELECT count(*) FROM ai_spend WHERE request_id IS NULL")).isZero();
        assertThat(scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'ai_spend' AND column_name = 'id'")).isZero();
        store.settle(store.reserve(key, "m", 400, BigDecimal.ZERO), 20, 10, BigDecimal.ZERO);
        assertThat(scalar("SELECT count(*) FROM ai_spend")).isEqualTo(3);
        assertThat(scalar("SELECT sum(prompt_tokens + completion_tokens) FROM ai_spend")).isEqualTo(150 + 10 + 30);
    }

    @Test
    void requestIdsAreVersion7AndOrderedByTime() throws Exception {
        java.util.UUID first = KeyStore.Settlement.newRequestId();
        Thread.sleep(2);
        java.util.UUID second = KeyStore.Settlement.newRequestId();
        assertThat(first.version()).isEqualTo(7);
        assertThat(first.variant()).isEqualTo(2);
        assertThat(second.getMostSignificantBits() >>> 16).isGreaterThan(first.getMostSignificantBits() >>> 16);
        assertThat(first).isNotEqualTo(KeyStore.Settlement.newRequestId());
    }
}
