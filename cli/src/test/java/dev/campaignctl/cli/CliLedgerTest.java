package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger end to end through the CLI, in process: earn, refund, redeem, reverse, expire, verify. */
class CliLedgerTest {

    @Test
    void earnRefundRedeemReverseExpireAndVerify(@TempDir Path home) {
        Map<String, String> env = Map.of("CAMPAIGNCTL_HOME", home.toString(), "DB_URL", TestDatabases.newDatabaseUrl(),
                "DB_USER", "postgres");
        long campaign = ok(env, "campaign", "create", "--name", "Points", "--points-valid-for", "P365D", "-o", "json")
                .json().get("id").asLong();
        ok(env, "rule", "add", "--campaign", Long.toString(campaign), "--when", "{}", "--reward", "percentage:100");
        long first = ok(env, "event", "register", "--amount", "100", "--customer", "C1", "-o", "json").json().get("id").asLong();
        ok(env, "event", "register", "--amount", "100", "--customer", "C1");
        ok(env, "event", "register", "--amount", "100", "--customer", "C1");
        assertThat(available(env)).isEqualTo("300");

        CliRun refund = ok(env, "event", "refund", Long.toString(first), "-o", "json");
        assertThat(refund.json().get("reversed_points").asText()).isEqualTo("100");
        assertThat(available(env)).isEqualTo("200");

        long redemption = ok(env, "customer", "redeem", "C1", "--points", "150", "--reason", "gift card", "-o", "json")
                .json().get("id").asLong();
        assertThat(available(env)).isEqualTo("50");
        CliRun tooMuch = CliRun.run(env, "customer", "redeem", "C1", "--points", "51");
        assertThat(tooMuch.code()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(tooMuch.err()).contains("50 points available");

        ok(env, "redemption", "reverse", Long.toString(redemption));
        assertThat(available(env)).isEqualTo("200");

        String later = Instant.now().plus(Duration.ofDays(400)).toString();
        ok(env, "expire-points", "--now", later);
        assertThat(available(env)).isEqualTo("0");
        assertThat(ok(env, "customer", "ledger", "C1", "--all", "-o", "json").json()).hasSize(7);

        CliRun verify = ok(env, "ledger", "verify", "-o", "json");
        assertThat(verify.json().get("mismatches")).isEmpty();
    }

    private static String available(Map<String, String> env) {
        return ok(env, "customer", "balance", "C1", "-o", "json").json().get("available").asText();
    }

    private static CliRun ok(Map<String, String> env, String... args) {
        CliRun run = CliRun.run(env, args);
        assertThat(run.code()).as(run.toString()).isZero();
        return run;
    }
}
