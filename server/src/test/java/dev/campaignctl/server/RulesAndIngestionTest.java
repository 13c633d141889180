package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.event.EventProcessor;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batch ingestion, explain and backtest through the production routing. */
class RulesAndIngestionTest {

    private static Database db;
    private static DomainServer server;
    private static TestClient http;
    private static EventProcessor processor;

    @BeforeAll
    static void start() {
        db = TestDatabases.fresh();
        processor = new EventProcessor(db, new EventProcessor.Settings(500, Duration.ofSeconds(5), 1));
        server = TestDomainServers.start(db, "pw-rules");
        http = new TestClient(server.port(), "admin", "pw-rules");
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    private static long campaign(String body) {
        TestClient.Reply reply = http.post("/campaigns", body);
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(201);
        return reply.body().get("id").asLong();
    }

    private static long rule(long campaign, String body) {
        TestClient.Reply reply = http.post("/campaigns/" + campaign + "/rules", body);
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(201);
        return reply.body().get("id").asLong();
    }

    @Test
    void aBatchStoresValidItemsAndReportsEachBadOneByIndex() {
        String items = IntStream.range(0, 1000)
                .mapToObj(i -> i == 17 ? "{\"amount\": -1}" : i == 400 ? "{\"merchant_id\": \"M\"}"
                        : "{\"amount\": " + i + ", \"external_id\": \"batch-" + i + "\", \"customer_id\": \"B\"}")
                .collect(Collectors.joining(",", "[", "]"));
        long before = Sql.count(db, "SELECT count(*) FROM events");

        TestClient.Reply reply = http.post("/events/batch", items);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("received").asInt()).isEqualTo(1000);
        assertThat(reply.body().get("created").asInt()).isEqualTo(998);
        assertThat(reply.body().get("rejected").asInt()).isEqualTo(2);
        JsonNode bad = reply.body().get("results").get(17);
        assertThat(bad.get("status").asText()).isEqualTo("rejected");
        assertThat(bad.at("/error/field").asText()).isEqualTo("amount");
        assertThat(reply.body().get("results").get(400).at("/error/field").asText()).isEqualTo("amount");
        assertThat(Sql.count(db, "SELECT count(*) FROM events")).isEqualTo(before + 998);

        TestClient.Reply again = http.post("/events/batch", items);
        assertThat(again.body().get("created").asInt()).isZero();
        assertThat(again.body().get("duplicates").asInt()).isEqualTo(998);
        assertThat(again.body().get("results").get(5).get("id").asLong())
                .isEqualTo(reply.body().get("results").get(5).get("id").asLong());
        assertThat(Sql.count(db, "SELECT count(*) FROM events")).isEqualTo(before + 998);
    }

    @Test
    void ndjsonBatchesReportLineNumbersAndCatchRepeatsWithinTheBatch() {
        String body = """
                {"amount": 1, "external_id": "nd-1"}
                {"amount": 2, "external_id": "nd-1"}
                {"amount": 1, "external_id": "nd-1"}

                {"amount": 3
                {"amount": 4, "external_id": "nd-2"}
                """;
        TestClient.Reply reply = http.send("POST", "/events/batch", body, "application/x-ndjson");

        assertThat(reply.status()).isEqualTo(200);
        JsonNode results = reply.body().get("results");
        assertThat(results).hasSize(5);
        assertThat(results.get(0).get("status").asText()).isEqualTo("created");
        assertThat(results.get(1).get("status").asText()).isEqualTo("conflict");
        assertThat(results.get(2).get("status").asText()).isEqualTo("duplicate");
        assertThat(results.get(2).get("id").asLong()).isEqualTo(results.get(0).get("id").asLong());
        assertThat(results.get(3).get("status").asText()).isEqualTo("rejected");
        assertThat(results.get(3).get("line").asInt()).isEqualTo(5);
        assertThat(results.get(3).at("/error/message").asText()).contains("line 5").contains("malformed JSON");
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE external_id LIKE 'nd-%'")).isEqualTo(2);
    }

    @Test
    void batchesThatAreNotArraysOrTooLargeAreRefused() {
        assertThat(http.post("/events/batch", "{\"amount\": 1}").status()).isEqualTo(400);
        String tooMany = IntStream.range(0, 10_001).mapToObj(i -> "{\"amount\": 1}").collect(Collectors.joining(",", "[", "]"));
        TestClient.Reply reply = http.post("/events/batch", tooMany);
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.body().get("message").asText()).contains("10000");
        assertThat(http.send("POST", "/events/batch", "a,b", "text/csv").status()).isEqualTo(415);
    }

    @Test
    void explainShowsEveryRuleWithActualValuesAndTheCapThatStopsAPayment() {
        long c = campaign("{\"name\": \"explained\", \"budget_total\": 5}");
        long cheap = rule(c, "{\"priority\": 500, \"conditions\": {\"transaction_data.channel\": \"web\"},"
                + " \"reward\": {\"type\": \"fixed\", \"value\": 10}}");
        rule(c, "{\"priority\": 900, \"conditions\": {\"amount\": {\"$gte\": 1000}}, \"reward\": {\"type\": \"fixed\", \"value\": 99}}");
        long before = Sql.count(db, "SELECT count(*) FROM events");

        TestClient.Reply reply = http.post("/events/explain", "{\"amount\": 150, \"customer_id\": \"X\","
                + " \"transaction_data\": {\"channel\": \"web\"}}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("outcome").asText()).isEqualTo("processed");
        assertThat(reply.body().get("matched_rule_id").asLong()).isEqualTo(cheap);
        JsonNode rules = reply.body().get("rules");
        JsonNode high = rules.findParents("rule_id").stream().filter(r -> r.get("priority").asInt() == 900).findFirst().orElseThrow();
        assertThat(high.get("conditions_matched").asBoolean()).isFalse();
        assertThat(high.at("/explanation/actual/0").decimalValue()).isEqualByComparingTo("150");
        assertThat(high.at("/explanation/expected").asInt()).isEqualTo(1000);
        JsonNode paying = rules.findParents("rule_id").stream().filter(r -> r.get("rule_id").asLong() == cheap).findFirst().orElseThrow();
        assertThat(paying.get("points").decimalValue()).isEqualByComparingTo("5");
        assertThat(paying.get("note").asText()).contains("would pay 5 of 10").contains("budget");
        assertThat(Sql.count(db, "SELECT count(*) FROM events")).isEqualTo(before);
    }

    @Test
    void explainOfAStoredEventReportsItsStoredOutcomeToo() {
        long c = campaign("{\"name\": \"stored explain\"}");
        long r = rule(c, "{\"conditions\": {\"merchant_id\": \"EXPLAIN_ME\"}, \"reward\": {\"type\": \"per_unit\", \"value\": 2}}");
        long id = http.post("/events", "{\"amount\": 10.5, \"merchant_id\": \"EXPLAIN_ME\"}").body().get("id").asLong();
        processor.runUntilEmpty();

        TestClient.Reply reply = http.post("/events/explain", "{\"event_id\": " + id + "}");

        assertThat(reply.body().get("stored_status").asText()).isEqualTo("processed");
        assertThat(reply.body().get("stored_matched_rule_id").asLong()).isEqualTo(r);
        assertThat(reply.body().get("matched_rule_id").asLong()).isEqualTo(r);
        assertThat(http.post("/events/explain", "{\"event_id\": 99999999}").status()).isEqualTo(404);
    }

    @Test
    void backtestComparesDraftRulesWithCurrentOnesWithoutWritingAnything() {
        long c = campaign("{\"name\": \"backtest\"}");
        long current = rule(c, "{\"conditions\": {\"merchant_id\": \"BT_A\"}, \"reward\": {\"type\": \"fixed\", \"value\": 10}}");
        http.post("/events/batch", "[{\"amount\": 5, \"merchant_id\": \"BT_A\"}, {\"amount\": 7, \"merchant_id\": \"BT_B\"},"
                + " {\"amount\": 9, \"merchant_id\": \"BT_B\"}]");
        processor.runUntilEmpty();
        long earnings = Sql.count(db, "SELECT count(*) FROM earnings");

        TestClient.Reply reply = http.post("/rules/backtest", "{\"since\": \"1h\", \"rules\": [{\"campaign_id\": " + c
                + ", \"conditions\": {\"merchant_id\": \"BT_B\"}, \"reward\": {\"type\": \"fixed\", \"value\": 3}}]}");

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.body().at("/current/points_by_campaign/" + c).decimalValue()).isEqualByComparingTo("10");
        assertThat(reply.body().at("/draft/points_by_campaign/" + c).decimalValue()).isEqualByComparingTo("6");
        assertThat(reply.body().get("changed").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(reply.body().get("changes").findValuesAsText("current_rule_id")).contains(String.valueOf(current));
        assertThat(reply.body().get("changes").findValuesAsText("draft_rule_id")).contains("-1");
        assertThat(Sql.count(db, "SELECT count(*) FROM earnings")).isEqualTo(earnings);
        assertThat(Sql.count(db, "SELECT count(*) FROM campaign_rules WHERE campaign_id = " + c)).isEqualTo(1);

        TestClient.Reply bad = http.post("/rules/backtest", "{\"rules\": [{\"campaign_id\": " + c
                + ", \"conditions\": {\"a\": {\"$bad\": 1}}, \"reward\": {\"type\": \"fixed\", \"value\": 3}}]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().get("field").asText()).isEqualTo("rules[0].conditions.a.$bad");
    }

    @Test
    void backtestCountsPointsNetOfRefundsAndReportsTheRefunds() {
        long c = campaign("{\"name\": \"backtest refunds\"}");
        rule(c, "{\"conditions\": {\"merchant_id\": \"BTR\"}, \"reward\": {\"type\": \"fixed\", \"value\": 100}}");
        long purchase = http.post("/events", "{\"amount\": 80, \"merchant_id\": \"BTR\", \"customer_id\": \"BTR-C\","
                + " \"external_id\": \"btr-1\"}").body().get("id").asLong();
        processor.runUntilEmpty();
        TestClient.Reply refund = http.post("/events/" + purchase + "/refunds", "{\"amount\": 20}");
        assertThat(refund.status()).as(refund.body().toString()).isEqualTo(201);
        TestClient.Reply refundEvent = http.post("/events", "{\"type\": \"refund\", \"refers_to\": \"btr-1\","
                + " \"amount\": 20, \"merchant_id\": \"BTR\", \"customer_id\": \"BTR-C\"}");
        assertThat(refundEvent.status()).as(refundEvent.body().toString()).isEqualTo(201);
        processor.runUntilEmpty();

        TestClient.Reply reply = http.post("/rules/backtest", "{\"since\": \"1h\", \"rules\": [{\"campaign_id\": " + c
                + ", \"conditions\": {\"merchant_id\": \"BTR\"}, \"reward\": {\"type\": \"fixed\", \"value\": 40}}]}");

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        // Half of the purchase was refunded: each side counts half of what its rule pays.
        assertThat(reply.body().at("/current/points_by_campaign/" + c).decimalValue()).isEqualByComparingTo("50");
        assertThat(reply.body().at("/draft/points_by_campaign/" + c).decimalValue()).isEqualByComparingTo("20");
        assertThat(reply.body().at("/refunds/refunded_purchases").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(reply.body().at("/refunds/refund_events").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(reply.body().get("note").asText()).contains("net of refunds");
    }

    @Test
    void everyMatchingRulePaysInEvaluationModeAllAndDuplicateIsFlagged() {
        long c = campaign("{\"name\": \"all mode\", \"evaluation\": \"all\"}");
        rule(c, "{\"priority\": 2, \"conditions\": {\"merchant_id\": \"ALL_M\"}, \"reward\": {\"type\": \"fixed\", \"value\": 1}}");
        rule(c, "{\"priority\": 1, \"conditions\": {\"amount\": {\"$gt\": 0}}, \"reward\": {\"type\": \"fixed\", \"value\": 2}}");
        TestClient.Reply first = http.post("/events", "{\"amount\": 3, \"merchant_id\": \"ALL_M\", \"external_id\": \"all-1\"}");
        assertThat(first.body().get("duplicate").asBoolean()).isFalse();
        assertThat(http.post("/events", "{\"amount\": 3, \"merchant_id\": \"ALL_M\", \"external_id\": \"all-1\"}")
                .body().get("duplicate").asBoolean()).isTrue();
        processor.runUntilEmpty();

        JsonNode event = http.get("/events/" + first.body().get("id").asLong()).body();
        assertThat(event.get("earnings").findValuesAsText("campaign_id")).containsOnly(String.valueOf(c)).hasSize(2);
    }
}
