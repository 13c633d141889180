package dev.campaignctl.core.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.campaignctl.core.api.LocalDomainApi;
import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.campaign.NewCampaign;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.event.Event;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.NewRule;
import dev.campaignctl.core.rule.Reward;
import dev.campaignctl.core.rule.Rule;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keys claimed in the create transaction, on a real PostgreSQL, through the in-process domain API. */
class IdempotencyKeysTest {

    private static Database db;
    private static LocalDomainApi api;

    @BeforeAll
    static void setUp() {
        db = TestDatabases.fresh();
        api = new LocalDomainApi(db, null, false);
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    private static NewEvent event(String merchant, String amount) {
        return new NewEvent(null, "C1", merchant, new BigDecimal(amount), null, null, null);
    }

    private static NewRule rule(int priority) {
        return new NewRule("r", priority, Json.tree("{\"merchant_id\": \"M\"}"), Reward.parse("fixed:5"));
    }

    @Test
    void theSameKeyAndRequestAgainGetTheFirstAnswerAsItWasAndStoreNothingMore() {
        IdempotencyKey key = new IdempotencyKey("event-replay");
        Created<Event> first = api.registerEvent(event("REPLAY", "150.00"), key);
        Sql.execute(db, "UPDATE events SET status = 'skipped', processed_at = now() WHERE id = " + first.value().id());

        Created<Event> again = api.registerEvent(event("REPLAY", "150"), key);

        assertThat(first.outcome()).isEqualTo(Outcome.CREATED);
        assertThat(first.replayed()).isFalse();
        assertThat(again.replayed()).isTrue();
        assertThat(again.outcome()).isEqualTo(Outcome.CREATED);
        assertThat(again.value()).isEqualTo(first.value());
        assertThat(Json.write(again.value())).isEqualTo(Json.write(first.value())).contains("\"status\":\"pending\"");
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE merchant_id = 'REPLAY'")).isEqualTo(1);
    }

    @Test
    void aKnownExternalIdUnderANewKeyIsExistingAndItsReplayToo() {
        Event stored = api.registerEvent(new NewEvent("ext-known", null, "EXT", BigDecimal.TEN, null, null, null)).event();
        IdempotencyKey key = new IdempotencyKey("event-existing");

        Created<Event> first = api.registerEvent(new NewEvent("ext-known", null, "EXT", BigDecimal.TEN, null, null, null), key);
        Created<Event> again = api.registerEvent(new NewEvent("ext-known", null, "EXT", BigDecimal.TEN, null, null, null), key);

        assertThat(first.outcome()).isEqualTo(Outcome.EXISTING);
        assertThat(first.value().id()).isEqualTo(stored.id());
        assertThat(again.outcome()).isEqualTo(Outcome.EXISTING);
        assertThat(again.replayed()).isTrue();
    }

    @Test
    void theSameKeyWithAnotherRequestIsAConflictNamingTheHeader() {
        IdempotencyKey key = new IdempotencyKey("event-conflict");
        api.registerEvent(event("CONFLICT", "1"), key);

        assertThatThrownBy(() -> api.registerEvent(event("CONFLICT", "2"), key))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT);
                    assertThat(e.field()).isEqualTo("Idempotency-Key");
                    assertThat(e.getMessage()).isEqualTo("this key was already used for another register event request;"
                            + " a new request needs a new key");
                });
        assertThatThrownBy(() -> api.createCampaign(NewCampaign.of("conflict"), List.of(), key))
                .isInstanceOf(ApiException.class)
                .hasMessage("this key was already used for a request to register event; a new request needs a new key");
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE merchant_id = 'CONFLICT'")).isEqualTo(1);
        assertThat(Sql.count(db, "SELECT count(*) FROM campaigns WHERE name = 'conflict'")).isZero();
    }

    @Test
    void campaignsWithRulesAndRulesReplayTooAndARuleKeyIsBoundToItsCampaign() {
        IdempotencyKey campaignKey = new IdempotencyKey("campaign-replay");
        Created<Campaign> campaign = api.createCampaign(NewCampaign.of("keyed"), List.of(rule(1)), campaignKey);
        Created<Campaign> campaignAgain = api.createCampaign(NewCampaign.of("keyed"), List.of(rule(1)), campaignKey);
        long other = api.createCampaign(NewCampaign.of("other")).id();
        IdempotencyKey ruleKey = new IdempotencyKey("rule-replay");
        Created<Rule> rule = api.addRule(campaign.value().id(), rule(7), ruleKey);
        Created<Rule> ruleAgain = api.addRule(campaign.value().id(), rule(7), ruleKey);

        assertThat(campaignAgain.replayed()).isTrue();
        assertThat(campaignAgain.value()).isEqualTo(campaign.value());
        assertThat(ruleAgain.replayed()).isTrue();
        assertThat(ruleAgain.value()).isEqualTo(rule.value());
        assertThat(Sql.count(db, "SELECT count(*) FROM campaigns WHERE name = 'keyed'")).isEqualTo(1);
        assertThat(Sql.count(db, "SELECT count(*) FROM campaign_rules WHERE campaign_id = " + campaign.value().id())).isEqualTo(2);
        assertThatThrownBy(() -> api.addRule(other, rule(7), ruleKey)).isInstanceOf(ApiException.class)
                .hasMessageContaining("add rule to campaign " + campaign.value().id());
    }

    @Test
    void aFailedRequestLeavesItsKeyFreeForARetry() {
        IdempotencyKey key = new IdempotencyKey("failed-first");
        assertThatThrownBy(() -> api.addRule(987_654, rule(1), key))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
        assertThat(Sql.count(db, "SELECT count(*) FROM idempotency_keys WHERE key = 'failed-first'")).isZero();

        long campaign = api.createCampaign(NewCampaign.of("late")).id();
        Created<Rule> rule = api.addRule(campaign, rule(1), key);

        assertThat(rule.replayed()).isFalse();
        assertThat(rule.outcome()).isEqualTo(Outcome.CREATED);
    }

    @Test
    void aRequestWaitingOnTheKeyGoesAheadWhenTheFirstRollsBack() throws Exception {
        IdempotencyKey key = new IdempotencyKey("rolled-back");
        NewEvent event = event("ROLLBACK", "3");
        CompletableFuture<Created<Event>> waiting;
        try (Connection first = db.connection()) {
            first.setAutoCommit(false);
            try (PreparedStatement ps = first.prepareStatement(
                    "INSERT INTO idempotency_keys (key, operation, fingerprint) VALUES (?, 'register event', ?)")) {
                ps.setString(1, key.value());
                ps.setString(2, IdempotentRequest.of(key, "register event", event).fingerprint());
                ps.executeUpdate();
            }
            waiting = CompletableFuture.supplyAsync(() -> api.registerEvent(event, key));
            await().atMost(Duration.ofSeconds(10)).until(() -> Sql.count(db, "SELECT count(*) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    + " AND query LIKE 'INSERT INTO idempotency_keys%'") == 1);
            assertThat(waiting).isNotDone();
            first.rollback();
        }

        Created<Event> created = waiting.get();

        assertThat(created.replayed()).isFalse();
        assertThat(created.outcome()).isEqualTo(Outcome.CREATED);
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE merchant_id = 'ROLLBACK'")).isEqualTo(1);
    }

    @Test
    void thePurgeTakesKeysPastTheirRetentionAndNoOthers() {
        Sql.execute(db, "INSERT INTO idempotency_keys (key, operation, fingerprint, outcome, response, created_at) VALUES"
                + " ('purge-old', 'register event', 'f', 'created', '{}', now() - interval '49 hours'),"
                + " ('purge-young', 'register event', 'f', 'created', '{}', now() - interval '47 hours')");

        int deleted = IdempotencyKeys.purge(db.dataSource(), IdempotencyKeys.RETENTION);

        assertThat(deleted).isEqualTo(1);
        assertThat(Sql.count(db, "SELECT count(*) FROM idempotency_keys WHERE key = 'purge-old'")).isZero();
        assertThat(Sql.count(db, "SELECT count(*) FROM idempotency_keys WHERE key = 'purge-young'")).isEqualTo(1);
    }

    @Test
    void thePurgerRunsOnItsOwn() {
        Sql.execute(db, "INSERT INTO idempotency_keys (key, operation, fingerprint, outcome, response, created_at) VALUES"
                + " ('purger-old', 'register event', 'f', 'created', '{}', now() - interval '3 days')");

        try (KeyPurger purger = KeyPurger.start(db.dataSource(), Duration.ofMillis(50))) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Sql.count(db, "SELECT count(*) FROM idempotency_keys WHERE key = 'purger-old'") == 0);
        }
    }
}
