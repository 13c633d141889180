package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.api.Page;
import dev.campaignctl.core.client.HttpDomainApi;
import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.earning.Earning;
import dev.campaignctl.core.event.Event;
import dev.campaignctl.core.event.EventStatus;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every list endpoint pages by {@code starting_after} and {@code Link: <…>; rel="next"}: 25,000
 * events and 25,000 earnings (inserted set-based, not through the API) walked by the header and by
 * the HTTP client, each item once and in order, filters kept, hostile cursors refused with a 400.
 */
class PaginationTest {

    private static final String PASSWORD = "pages-" + System.nanoTime();
    private static final int ROWS = 25_000;
    private static final Pattern NEXT = Pattern.compile("^<([^>]+)>; rel=\"next\"$");
    private static Database db;
    private static DomainServer server;
    private static TestClient http;
    private static long campaignA;
    private static long campaignB;

    @BeforeAll
    static void start() {
        db = TestDatabases.fresh();
        server = TestDomainServers.start(db, PASSWORD);
        http = new TestClient(server.port(), "admin", PASSWORD);
        campaignA = http.post("/campaigns", "{\"name\": \"Paged A\"}").body().get("id").asLong();
        campaignB = http.post("/campaigns", "{\"name\": \"Paged B\"}").body().get("id").asLong();
        long ruleA = rule(campaignA, 10);
        long ruleB = rule(campaignB, 10);
        // Every second event processed and paid by both campaigns: 25,000 events, 25,000 earnings.
        Sql.execute(db, "INSERT INTO events (customer_id, merchant_id, amount, status, matched_rule_id, processed_at)"
                + " SELECT 'C' || (g % 7), 'PAGED', g, CASE WHEN g % 2 = 0 THEN 'processed' ELSE 'skipped' END,"
                + " CASE WHEN g % 2 = 0 THEN " + ruleA + " END, now() FROM generate_series(1, " + ROWS + ") g");
        Sql.execute(db, "INSERT INTO earnings (event_id, campaign_id, rule_id, customer_id, amount)"
                + " SELECT e.id, r.campaign_id, r.id, e.customer_id, 1 FROM events e"
                + " CROSS JOIN (VALUES (" + campaignA + ", " + ruleA + "), (" + campaignB + ", " + ruleB + ")) r(campaign_id, id)"
                + " WHERE e.status = 'processed' ORDER BY e.id, r.id");
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    private static long rule(long campaign, int priority) {
        TestClient.Reply reply = http.post("/campaigns/" + campaign + "/rules", "{\"priority\": " + priority
                + ", \"conditions\": {\"merchant_id\": \"NONE\"}, \"reward\": {\"type\": \"fixed\", \"value\": 1}}");
        assertThat(reply.status()).as(String.valueOf(reply.body())).isEqualTo(201);
        return reply.body().get("id").asLong();
    }

    /** Follows Link headers from {@code first}; every page's items, in order, and the links followed. */
    private record Walk(List<JsonNode> items, List<String> links, int pages) {
        List<Long> ids() {
            return items.stream().map(item -> item.get("id").asLong()).toList();
        }
    }

    private static Walk walk(String first) {
        List<JsonNode> items = new ArrayList<>();
        List<String> links = new ArrayList<>();
        String path = first;
        int pages = 0;
        while (path != null) {
            TestClient.Reply reply = http.get(path);
            assertThat(reply.status()).as(path + ": " + reply.body()).isEqualTo(200);
            assertThat(reply.body().isArray()).isTrue();
            pages++;
            reply.body().forEach(items::add);
            List<String> link = reply.raw().headers().allValues("Link");
            if (link.isEmpty()) {
                path = null;
            } else {
                assertThat(link).hasSize(1);
                Matcher next = NEXT.matcher(link.getFirst());
                assertThat(next.matches()).as(link.getFirst()).isTrue();
                path = next.group(1);
                assertThat(path).as("a relative link, without the host the server listens on").startsWith("/");
                assertThat(reply.body()).as("a page with a next link is full").isNotEmpty();
                links.add(path);
            }
        }
        return new Walk(items, links, pages);
    }

    private static List<Long> descending(long from, long count) {
        return LongStream.range(0, count).map(i -> from - i).boxed().toList();
    }

    @Test
    void eventsWalkedByLinkAreEachSeenOnceNewestFirst() {
        long newest = Sql.count(db, "SELECT max(id) FROM events");
        Walk walk = walk("/events?limit=1000");
        assertThat(walk.ids()).hasSize(ROWS).doesNotHaveDuplicates().isEqualTo(descending(newest, ROWS));
        assertThat(walk.pages()).as("25 full pages, and no empty 26th").isEqualTo(25);
        assertThat(walk.links()).allSatisfy(link -> assertThat(link).startsWith("/events?limit=1000&starting_after="));
    }

    @Test
    void earningsWalkedByLinkAreEachSeenOnceInIdOrder() {
        List<Long> all = ids("SELECT id FROM earnings ORDER BY id");
        assertThat(all).hasSize(ROWS);
        Walk walk = walk("/earnings?limit=999");
        assertThat(walk.ids()).isEqualTo(all);
        assertThat(walk.pages()).isEqualTo(26);
    }

    @Test
    void theDefaultLimitPagesToo() {
        Walk walk = walk("/earnings?campaign_id=" + campaignB);
        assertThat(walk.ids()).isEqualTo(ids("SELECT id FROM earnings WHERE campaign_id = " + campaignB + " ORDER BY id"));
        assertThat(walk.pages()).isEqualTo(125);
    }

    @Test
    void filtersAndUnknownParametersSurviveEveryLink() {
        Walk skipped = walk("/events?status=skipped&limit=2000");
        assertThat(skipped.items()).hasSize(ROWS / 2).allSatisfy(e -> assertThat(e.get("status").asText()).isEqualTo("skipped"));
        assertThat(skipped.ids()).doesNotHaveDuplicates().isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(skipped.links()).allSatisfy(link -> assertThat(link).startsWith("/events?status=skipped&limit=2000&starting_after="));

        Walk byCustomer = walk("/earnings?customer_id=C%203&campaign_id=" + campaignA + "&limit=500");
        assertThat(byCustomer.ids()).isEmpty();
        Walk c3 = walk("/earnings?limit=500&customer_id=C3&campaign_id=" + campaignA);
        assertThat(c3.ids()).isEqualTo(ids("SELECT id FROM earnings WHERE customer_id = 'C3' AND campaign_id = "
                + campaignA + " ORDER BY id"));
        assertThat(c3.items()).allSatisfy(e -> assertThat(e.get("customer_id").asText()).isEqualTo("C3"));
        assertThat(c3.links()).isNotEmpty().allSatisfy(link ->
                assertThat(link).startsWith("/earnings?limit=500&customer_id=C3&campaign_id=" + campaignA + "&starting_after="));
    }

    @Test
    void aLinkReplacesTheCursorItWasAskedWith() {
        long after = ids("SELECT id FROM earnings ORDER BY id").get(10);
        TestClient.Reply reply = http.get("/earnings?starting_after=" + after + "&limit=5");
        assertThat(reply.body()).hasSize(5);
        assertThat(reply.body().get(0).get("id").asLong()).isGreaterThan(after);
        assertThat(reply.header("Link")).isEqualTo("</earnings?limit=5&starting_after="
                + reply.body().get(4).get("id").asLong() + ">; rel=\"next\"");
    }

    @Test
    void aLinkNeverPointsAtAnotherHostWhateverThePathLooksLike() {
        // "//evil.example/../campaigns" routes to the campaigns; a link "//evil.example/..." would leave the server.
        TestClient.Reply doubled = http.get("//campaigns?limit=1");
        assertThat(doubled.status()).isEqualTo(200);
        assertThat(doubled.header("Link")).startsWith("</campaigns?limit=1&starting_after=");
    }

    @Test
    void theLastPageHasNoLinkEvenWhenItIsFull() {
        long total = Sql.count(db, "SELECT count(*) FROM campaigns");
        TestClient.Reply exact = http.get("/campaigns?limit=" + total);
        assertThat(exact.body()).hasSize((int) total);
        assertThat(exact.header("Link")).isNull();
        TestClient.Reply shorter = http.get("/campaigns?limit=1");
        assertThat(shorter.header("Link")).isEqualTo("</campaigns?limit=1&starting_after=" + campaignA + ">; rel=\"next\"");
        TestClient.Reply beyond = http.get("/events?starting_after=1");
        assertThat(beyond.status()).isEqualTo(200);
        assertThat(beyond.body()).isEmpty();
        assertThat(beyond.header("Link")).isNull();
    }

    @Test
    void campaignsPageByIdWithTheirStatusFilter() {
        for (int i = 0; i < 12; i++) {
            http.post("/campaigns", "{\"name\": \"Draft " + i + "\", \"status\": \"draft\"}");
        }
        Walk drafts = walk("/campaigns?status=draft&limit=5");
        assertThat(drafts.items()).hasSize(12).allSatisfy(c -> assertThat(c.get("status").asText()).isEqualTo("draft"));
        assertThat(drafts.ids()).isSorted().doesNotHaveDuplicates();
        assertThat(drafts.pages()).isEqualTo(3);
    }

    @Test
    void rulesPageInEvaluationOrderHighestPriorityFirst() {
        long campaign = http.post("/campaigns", "{\"name\": \"Many rules\", \"status\": \"paused\"}").body().get("id").asLong();
        int[] priorities = {5, 1, 5, 9, 0, 5, 9, -3, 1, 5, 7};
        for (int priority : priorities) {
            rule(campaign, priority);
        }
        TestClient.Reply whole = http.get("/campaigns/" + campaign + "/rules");
        assertThat(whole.header("Link")).as("the default limit still lists a campaign's rules whole").isNull();
        List<Long> expected = new ArrayList<>();
        whole.body().forEach(r -> expected.add(r.get("id").asLong()));
        assertThat(expected).hasSize(priorities.length);
        for (int limit = 1; limit <= 4; limit++) {
            Walk walk = walk("/campaigns/" + campaign + "/rules?limit=" + limit);
            assertThat(walk.ids()).as("limit " + limit).isEqualTo(expected);
            assertThat(walk.items()).extracting(r -> r.get("priority").asInt()).isSortedAccordingTo((a, b) -> b - a);
        }
        TestClient.Reply otherCampaigns = http.get("/campaigns/" + campaign + "/rules?starting_after="
                + Sql.count(db, "SELECT min(id) FROM campaign_rules"));
        assertError(otherCampaigns, "starting_after");
    }

    @Test
    void theLedgerPagesTheSameWay() {
        for (int i = 1; i <= 7; i++) {
            assertThat(http.post("/customers/paged%20one/adjustments", "{\"points\": " + i + ", \"reason\": \"r" + i + "\"}")
                    .status()).isEqualTo(201);
        }
        Walk walk = walk("/customers/paged%20one/ledger?limit=7");
        assertThat(walk.pages()).isEqualTo(1);
        Walk paged = walk("/customers/paged%20one/ledger?limit=3");
        assertThat(paged.pages()).isEqualTo(3);
        assertThat(paged.ids()).isEqualTo(walk.ids()).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(paged.links()).allSatisfy(link -> assertThat(link).startsWith("/customers/paged%20one/ledger?limit=3&starting_after="));
    }

    @Test
    void theHttpClientFollowsTheLinksToTheEnd() {
        try (HttpDomainApi api = new HttpDomainApi(URI.create("http://127.0.0.1:" + server.port()), "admin", PASSWORD)) {
            List<Long> events = collect(api.listEvents(EventStatus.PROCESSED, 3000, null), Event::id);
            assertThat(events).isEqualTo(ids("SELECT id FROM events WHERE status = 'processed' ORDER BY id DESC"));
            List<Long> earnings = collect(api.listEarnings(campaignA, null, 10_000, null), Earning::id);
            assertThat(earnings).isEqualTo(ids("SELECT id FROM earnings WHERE campaign_id = " + campaignA + " ORDER BY id"));
            Page<Event> second = api.listEvents(null, 10, api.listEvents(null, 10, null).nextStartingAfter());
            assertThat(second.items()).hasSize(10);
        }
    }

    @Test
    void hostileCursorsAreA400NamingTheField() {
        long campaign = campaignA;
        List<String> lists = List.of("/campaigns", "/campaigns/" + campaign + "/rules", "/events", "/earnings",
                "/customers/C1/ledger");
        List<String> values = List.of("abc", "-1", "0", "-9223372036854775808", "9223372036854775808",
                "99999999999999999999999999999999", "1.5", "1e3", "+5", "05", "0x10", "%00", "1%00", "%E2%80%8F1",
                "1;DROP%20TABLE%20events", "'", "%20");
        for (String list : lists) {
            for (String value : values) {
                assertError(http.get(list + "?starting_after=" + value), "starting_after");
            }
            assertError(http.get(list + "?starting_after=1&starting_after=2"), "starting_after");
            assertError(http.get(list + "?limit=10001"), "limit");
            assertThat(http.get(list + "?starting_after=").status()).as("empty means absent").isEqualTo(200);
        }
        assertThat(http.get("/events?starting_after=9223372036854775807").body()).hasSize(100);
        assertThat(http.get("/earnings?starting_after=9223372036854775807").body()).isEmpty();
        assertError(http.get("/campaigns/" + campaign + "/rules?starting_after=9223372036854775807"), "starting_after");
    }

    @Test
    void aLinkNeverEchoesCharactersThatWouldBreakTheHeader() {
        TestClient.Reply reply = http.get("/events?limit=1&x=%3E%3B%20rel%3D%22evil%22&y=a%22b");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Link")).matches(NEXT).contains("x=%3E%3B%20rel%3D%22evil%22&y=a%22b&starting_after=");
    }

    @Test
    void everyListTheDocumentsDescribeTakesACursorAndAnswersWithALink() {
        Map<String, Set<String>> lists = new TreeMap<>();
        for (String service : List.of("domain", "ai", "agents")) {
            ParseOptions options = new ParseOptions();
            options.setResolve(true);
            options.setResolveFully(true);
            OpenAPI api = new OpenAPIParser().readContents(new String(Servers.openapi(service), StandardCharsets.UTF_8),
                    null, options).getOpenAPI();
            Set<String> paths = new TreeSet<>();
            api.getPaths().forEach((path, item) -> {
                Operation get = item.getGet();
                ApiResponse ok = get == null ? null : get.getResponses().get("200");
                Content content = ok == null ? null : ok.getContent();
                if (content == null || content.get("application/json") == null
                        || !"array".equals(content.get("application/json").getSchema().getType())) {
                    return;
                }
                paths.add(path);
                assertThat(get.getParameters()).as(service + " " + path).extracting(Parameter::getName)
                        .contains("limit", "starting_after");
                assertThat(ok.getHeaders()).as(service + " " + path).containsKey("Link");
            });
            lists.put(service, paths);
        }
        assertThat(lists).isEqualTo(Map.of("domain", Set.of("/campaigns", "/campaigns/{id}/rules", "/events", "/earnings",
                "/customers/{id}/ledger"), "ai", Set.of(), "agents", Set.of()));
    }

    private static void assertError(TestClient.Reply reply, String field) {
        assertThat(reply.status()).as(reply.raw().uri() + " " + reply.raw().body()).isEqualTo(400);
        assertThat(reply.body().get("error").asText()).isEqualTo("validation_failed");
        assertThat(reply.body().get("field").asText()).isEqualTo(field);
        assertThat(reply.raw().body().length()).as("short").isLessThan(300);
    }

    private static <T> List<Long> collect(Page<T> first, Function<T, Long> id) {
        List<Long> ids = new ArrayList<>();
        for (Page<T> page = first; ; page = page.next()) {
            page.items().forEach(item -> ids.add(id.apply(item)));
            if (!page.hasNext()) {
                return ids;
            }
        }
    }

    private static List<Long> ids(String query) {
        List<Long> ids = new ArrayList<>();
        try (var connection = db.dataSource().getConnection(); var statement = connection.createStatement();
             var rs = statement.executeQuery(query)) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }
}
