package dev.campaignctl.core.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.config.ConfigurationStore;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.db.Db;
import dev.campaignctl.core.db.Row;
import dev.campaignctl.core.event.EventStore;
import dev.campaignctl.core.idempotency.IdempotencyKey;
import dev.campaignctl.core.idempotency.IdempotentRequest;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.NewRule;
import dev.campaignctl.core.rule.Reward;
import dev.campaignctl.core.rule.RewardType;
import dev.campaignctl.core.rule.Rule;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import io.helidon.dbclient.DbClientService;
import io.helidon.dbclient.DbClientServiceContext;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stores' statements go through Helidon DbClient, and a change to campaigns or rules commits or
 * rolls back together with its bump of the rule-set version (V3__rule_set_version.sql).
 */
class CampaignStoreDbClientTest {

    private static Database db;
    /** Names of the DbClient statements run, in order. */
    private static final List<String> statements = new CopyOnWriteArrayList<>();
    /** Runs before each DbClient statement, in its thread; tests set it to hold or fail one. */
    private static volatile Consumer<DbClientServiceContext> before = context -> { };
    private static CampaignStore store;

    @BeforeAll
    static void setUp() {
        db = TestDatabases.fresh();
        DbClientService observer = context -> {
            statements.add(context.statementName());
            before.accept(context);
            return context;
        };
        store = new CampaignStore(Db.over(db.dataSource(), observer));
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    @BeforeEach
    void reset() {
        statements.clear();
        before = context -> { };
    }

    private static NewRule rule(String merchant) {
        return new NewRule("r-" + merchant, 10, Json.tree("{\"merchant_id\": \"" + merchant + "\"}"),
                new Reward(RewardType.FIXED, BigDecimal.TEN));
    }

    private static long version() {
        return Sql.count(db, "SELECT version FROM rule_set_version");
    }

    private static Consumer<DbClientServiceContext> failing(String statement) {
        return context -> {
            if (context.statementName().equals(statement)) {
                throw new IllegalStateException("injected failure before " + statement);
            }
        };
    }

    @Test
    void campaignStatementsRunThroughDbClient() {
        Campaign created = store.createWithRules(NewCampaign.of("observed"), List.of(rule("A")));
        store.get(created.id());
        store.update(created.id(), CampaignPatch.status(CampaignStatus.PAUSED));
        store.addRule(created.id(), rule("B"));
        store.rules(created.id(), 100, null);
        store.list(null, 10, null);

        assertThat(statements).containsExactly(
                "rule-set-version.bump", "campaign.insert", "rule.insert",
                "campaign.get",
                "rule-set-version.bump", "campaign.get-for-update", "campaign.update",
                "rule-set-version.bump", "campaign.get-for-update", "rule.insert",
                "campaign.get", "rule.list", "campaign.list");
    }

    @Test
    void idempotencyKeysConfigurationAndEventReadsRunThroughDbClient() {
        Db observed = Db.over(db.dataSource(), context -> {
            statements.add(context.statementName());
            return context;
        });
        IdempotentRequest request = new IdempotentRequest(new IdempotencyKey("key-observed-1"), "POST /campaigns", "fp");
        new CampaignStore(observed).createWithRules(NewCampaign.of("keyed"), List.of(), request);
        new CampaignStore(observed).createWithRules(NewCampaign.of("keyed"), List.of(), request);
        ConfigurationStore configuration = new ConfigurationStore(observed);
        configuration.put("observed.key", "v");
        assertThat(configuration.get("observed.key")).contains("v");
        Sql.execute(db, "INSERT INTO events (external_id, amount) VALUES ('observed-event', 1)");
        long event = Sql.count(db, "SELECT id FROM events WHERE external_id = 'observed-event'");
        assertThat(new EventStore(observed).get(event).externalId()).isEqualTo("observed-event");

        assertThat(statements).containsExactly(
                "idempotency-key.claim", "rule-set-version.bump", "campaign.insert", "idempotency-key.save",
                "idempotency-key.claim", "idempotency-key.get",
                "configuration.put", "configuration.get",
                "event.get", "earning.of-event");
    }

    @Test
    void campaignMappedThroughDbClientEqualsTheSameRowMappedThroughJdbc() throws Exception {
        Campaign created = store.create(new NewCampaign("mapped", "both ways", CampaignStatus.ACTIVE, null, null,
                EvaluationMode.ALL, new BigDecimal("1000.50"), new BigDecimal("25"), "P30D"));
        Rule rule = store.addRule(created.id(), rule("M"));

        try (Connection c = db.connection();
             PreparedStatement campaigns = c.prepareStatement(
                     "SELECT " + CampaignRows.CAMPAIGN_COLUMNS + " FROM campaigns WHERE id = " + created.id());
             PreparedStatement rules = c.prepareStatement(
                     "SELECT " + CampaignRows.RULE_COLUMNS + " FROM campaign_rules WHERE id = " + rule.id());
             ResultSet campaignRow = campaigns.executeQuery();
             ResultSet ruleRow = rules.executeQuery()) {
            campaignRow.next();
            ruleRow.next();
            assertThat(store.get(created.id())).isEqualTo(CampaignRows.campaign(Row.of(campaignRow)));
            assertThat(store.rules(created.id(), 100, null)).containsExactly(CampaignRows.rule(Row.of(ruleRow)));
        }
        assertThat(store.get(created.id()).budgetTotal()).isEqualByComparingTo("1000.5");
        assertThat(store.get(created.id()).pointsValidFor()).isEqualTo("P30D");
    }

    @Test
    void theRuleSetVersionBumpIsNotVisibleBeforeTheCampaignChangeCommits() throws Exception {
        Campaign campaign = store.create(NewCampaign.of("held"));
        long versionBefore = version();
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        before = context -> {
            if (context.statementName().equals("campaign.update")) {
                reached.countDown();
                await(release);
            }
        };

        CompletableFuture<Campaign> update = CompletableFuture.supplyAsync(
                () -> store.update(campaign.id(), CampaignPatch.status(CampaignStatus.PAUSED)));
        assertThat(reached.await(10, TimeUnit.SECONDS)).isTrue();
        // The bump ran (it is the transaction's first statement) but is not committed on its own.
        assertThat(version()).isEqualTo(versionBefore);
        release.countDown();

        assertThat(update.get(10, TimeUnit.SECONDS).status()).isEqualTo(CampaignStatus.PAUSED);
        assertThat(version()).isGreaterThan(versionBefore);
        assertThat(Sql.count(db, "SELECT count(*) FROM campaigns WHERE id = " + campaign.id() + " AND status = 'paused'"))
                .isEqualTo(1);
    }

    @Test
    void aFailedCampaignUpdateRollsBackItsRuleSetVersionBump() {
        Campaign campaign = store.create(NewCampaign.of("unchanged"));
        long versionBefore = version();
        before = failing("campaign.update");

        assertThatThrownBy(() -> store.update(campaign.id(), CampaignPatch.status(CampaignStatus.PAUSED)))
                .hasMessageContaining("injected failure");

        assertThat(statements).startsWith("rule-set-version.bump");
        assertThat(version()).isEqualTo(versionBefore);
        before = context -> { };
        assertThat(store.get(campaign.id()).status()).isEqualTo(CampaignStatus.ACTIVE);
    }

    @Test
    void aCampaignWhoseSecondRuleFailsLeavesNoCampaignNoRuleAndNoBump() {
        long versionBefore = version();
        long campaignsBefore = Sql.count(db, "SELECT count(*) FROM campaigns");
        long rulesBefore = Sql.count(db, "SELECT count(*) FROM campaign_rules");
        int[] ruleInserts = {0};
        before = context -> {
            if (context.statementName().equals("rule.insert") && ++ruleInserts[0] == 2) {
                throw new IllegalStateException("injected failure at the second rule");
            }
        };

        assertThatThrownBy(() -> store.createWithRules(NewCampaign.of("half"), List.of(rule("A"), rule("B"))))
                .hasMessageContaining("injected failure");

        assertThat(statements).containsExactly("rule-set-version.bump", "campaign.insert", "rule.insert", "rule.insert");
        assertThat(version()).isEqualTo(versionBefore);
        assertThat(Sql.count(db, "SELECT count(*) FROM campaigns")).isEqualTo(campaignsBefore);
        assertThat(Sql.count(db, "SELECT count(*) FROM campaign_rules")).isEqualTo(rulesBefore);
    }

    @Test
    void aRuleForAMissingCampaignFailsInTheDatabaseAndRollsBackItsBump() {
        long versionBefore = version();

        assertThatThrownBy(() -> store.addRule(Long.MAX_VALUE, rule("A")))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("campaign");

        assertThat(statements).containsExactly("rule-set-version.bump", "campaign.get-for-update");
        assertThat(version()).isEqualTo(versionBefore);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
