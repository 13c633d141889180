package dev.campaignctl.core.ai.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.testing.TestDatabases;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reservations taken together: a prefix that fits, the rest asked again alone, never past the budget. */
class ReservationGroupsTest {

    private Database db;
    private KeyStore store;

    @BeforeEach
    void setUp() {
        db = TestDatabases.fresh();
        store = new KeyStore(db.dataSource());
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private VirtualKey key(long budgetTokens) {
        return store.create(new KeySpec("k", budgetTokens, null, null, null, null), Instant.now()).stored();
    }

    @Test
    void grantsTheAsksWhoseRunningSumFitsAndNoneAfterTheFirstThatDoesNot() {
        VirtualKey key = key(1_000);
        ReservationGroups groups = new ReservationGroups(db.dataSource());
        var wanted = List.of(new ReservationGroups.Wanted("m", 600, BigDecimal.ZERO),
                new ReservationGroups.Wanted("m", 600, BigDecimal.ZERO),
                new ReservationGroups.Wanted("m", 300, BigDecimal.ZERO));

        List<Long> ids = groups.take(key.id(), wanted);

        assertThat(ids.get(0)).isNotNull();
        assertThat(ids.subList(1, 3)).containsOnlyNulls();
        assertThat(store.get(key.id()).reservedTokens()).isEqualTo(600);
        // Alone, the third still fits (a serial order would have granted it): the caller's second ask.
        assertThat(store.reserve(key, "m", 300, BigDecimal.ZERO).tokens()).isEqualTo(300);
        assertThatThrownBy(() -> store.reserve(key, "m", 600, BigDecimal.ZERO))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("budget_tokens_exceeded"));
        assertThat(store.get(key.id()).reservedTokens()).isEqualTo(900);
    }

    @Test
    void aRevokedKeyGrantsNothing() {
        VirtualKey key = key(1_000);
        store.revoke(key.id());
        List<Long> ids = new ReservationGroups(db.dataSource()).take(key.id(),
                List.of(new ReservationGroups.Wanted("m", 1, BigDecimal.ZERO)));
        assertThat(ids).containsOnlyNulls();
        assertThat(store.get(key.id()).reservedTokens()).isZero();
    }

    @Test
    void concurrentAsksOfOneKeyNeverReserveMoreThanItsBudget() throws Exception {
        VirtualKey key = key(10_000);
        List<Future<Boolean>> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 64; i++) {
                long tokens = 300 + 100L * (i % 7);
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
        assertThat(reserved).isLessThanOrEqualTo(10_000).isGreaterThan(10_000 - 900);
        assertThat(granted).isBetween(11L, 33L);
        try (var c = db.dataSource().getConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*), coalesce(sum(tokens), 0) FROM ai_reservations WHERE key_id = " + key.id())) {
            rs.next();
            assertThat(Arrays.asList(rs.getLong(1), rs.getLong(2))).containsExactly(granted, reserved);
        }
    }

    @Test
    void theSweepReleasesOldReservationsAndASettleAfterItStillCountsItsSpend() {
        VirtualKey key = key(1_000);
        KeyStore.Reservation reservation = store.reserve(key, "m", 400, BigDecimal.ZERO);
        assertThat(store.sweep(Duration.ZERO)).isEqualTo(1);
        assertThat(store.get(key.id()).reservedTokens()).isZero();

        store.settle(reservation, 100, 50, BigDecimal.ZERO);
        VirtualKey after = store.get(key.id());
        assertThat(after.reservedTokens()).as("nothing given back twice").isZero();
        assertThat(after.spentTokens()).isEqualTo(150);
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
        long spent = 0;
        for (VirtualKey key : keys) {
            VirtualKey now = store.get(key.id());
            assertThat(now.reservedTokens()).isZero();
            assertThat(now.reservedUsd()).isEqualByComparingTo("0");
            spent += now.spentTokens();
        }
        assertThat(spent).isEqualTo(400 * 30);
    }

    @Test
    void aSettleWhoseAuditRowsCannotBeWrittenCountsItsSpendOnceAndIsNotSentAgain() throws Exception {
        try (var c = db.connection(); var st = c.createStatement()) {
            st.execute("CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$ BEGIN RAISE EXCEPTION 'audit refused by the test'; END $$");
            st.execute("CREATE TRIGGER refuse_audit BEFORE INSERT ON ai_spend FOR EACH ROW EXECUTE FUNCTION refuse_audit()");
        }
        VirtualKey key = key(1_000);
        KeyStore.Reservation reservation = store.reserve(key, "m", 400, BigDecimal.ZERO);

        // A throw here would have the gateway settle the batch again, adding the counters twice.
        store.settleAll(List.of(new KeyStore.Settlement(reservation, 100, 50, BigDecimal.ZERO)));

        VirtualKey after = store.get(key.id());
        assertThat(after.spentTokens()).isEqualTo(150);
        assertThat(after.reservedTokens()).isZero();
    }
}
