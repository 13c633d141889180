package dev.campaignctl.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Failed logins are throttled without hashing; the valid pair never costs a hash once known; old hashes upgrade. */
class AuthenticatorTest {

    private static final String HASH = PasswordHash.hash("right", 1_000);

    @Test
    void aKnownValidPairIsAcceptedAndEveryOtherRefusedWithoutHashing() {
        Authenticator auth = new Authenticator("admin", HASH).knownValid("right");

        for (int i = 0; i < 100; i++) {
            assertThat(auth.verify("10.0.0." + i, "admin", "right").ok()).isTrue();
            assertThat(auth.verify("10.0.0." + i, "admin", "wrong-" + i).ok()).isFalse();
            assertThat(auth.verify("10.0.0." + i, "other", "right").ok()).isFalse();
        }
        assertThat(auth.hashed()).isZero();
    }

    @Test
    void afterFiveFailuresAnAddressIsThrottledForTheRestOfTheMinuteButTheValidPairStillPasses() {
        Authenticator auth = new Authenticator("admin", HASH);
        assertThat(auth.verify("10.0.0.1", "admin", "right").ok()).isTrue();
        for (int i = 0; i < Authenticator.MAX_FAILURES; i++) {
            Authenticator.Verdict verdict = auth.verify("10.0.0.1", "admin", "guess-" + i);
            assertThat(verdict.ok()).isFalse();
            assertThat(verdict.throttled()).isFalse();
        }

        Authenticator.Verdict throttled = auth.verify("10.0.0.1", "admin", "guess-x");
        assertThat(throttled.throttled()).isTrue();
        assertThat(throttled.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
        assertThat(auth.verify("10.0.0.2", "admin", "guess-y").throttled()).as("another address").isFalse();
        assertThat(auth.verify("10.0.0.1", "admin", "right").ok()).as("the valid pair from the throttled address").isTrue();
        assertThat(auth.hashed()).as("only the first check hashed").isEqualTo(1);
    }

    @Test
    void aColdFloodFromOneAddressHashesAtMostOneGuessAtATimeAndRepeatsCostNothing() throws Exception {
        Authenticator auth = new Authenticator("admin", PasswordHash.hash("right", 50_000));
        AtomicInteger throttled = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
            List<Future<Authenticator.Verdict>> verdicts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                verdicts.add(pool.submit(() -> auth.verify("10.0.0.9", "admin", "same-wrong")));
            }
            for (Future<Authenticator.Verdict> verdict : verdicts) {
                assertThat(verdict.get().ok()).isFalse();
                if (verdict.get().throttled()) {
                    throttled.incrementAndGet();
                }
            }
        }
        assertThat(auth.hashed()).isEqualTo(1);
        assertThat(throttled.get()).isGreaterThan(150);
    }

    @Test
    void aPerUserLimitStopsGuessesSpreadOverManyAddresses() {
        Authenticator auth = new Authenticator("admin", HASH);
        for (int i = 0; i < Authenticator.MAX_USER_FAILURES; i++) {
            assertThat(auth.verify("10.1.0." + i, "admin", "guess-" + i).throttled()).isFalse();
        }
        assertThat(auth.verify("10.2.0.1", "admin", "guess").throttled()).isTrue();
    }

    @Test
    void aWeakStoredHashIsReplacedAfterTheNextSuccessfulCheck() {
        AtomicReference<String> stored = new AtomicReference<>();
        Authenticator auth = new Authenticator("admin", HASH, stored::set);

        assertThat(auth.verify("10.0.0.1", "admin", "right").ok()).isTrue();

        assertThat(stored.get()).startsWith("pbkdf2-sha256$" + PasswordHash.ITERATIONS + "$");
        assertThat(PasswordHash.verify("right", stored.get())).isTrue();
        assertThat(PasswordHash.needsRehash(stored.get())).isFalse();
        assertThat(PasswordHash.verify("right", HASH)).as("the old hash still verifies").isTrue();
    }
}
