package dev.campaignctl.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.campaign.Campaign;
import dev.campaignctl.core.campaign.CampaignRows;
import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.db.Row;
import dev.campaignctl.core.json.Fields;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.rule.ActiveRule;
import dev.campaignctl.core.rule.NewRule;
import dev.campaignctl.core.rule.Rule;
import dev.campaignctl.core.rule.RuleSet;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import javax.sql.DataSource;

/**
 * Replays stored events against a draft ruleset and compares with the current rules; writes
 * nothing. Draft rules replace the current rules of the campaigns they name (which need not be
 * active yet); other active campaigns keep theirs. Budgets and caps are not applied.
 */
public final class Backtest {

    /** A draft rule: a rule body plus the campaign it belongs to. */
    public record DraftRule(long campaignId, NewRule rule) {
    }

    /** What to replay: the draft rules and the window of events (by occurred_at). */
    public record Request(List<DraftRule> rules, Instant since, Instant until, int maxChanges) {

        public static Request fromJson(JsonNode body) {
            Fields.object(body, "backtest");
            JsonNode rules = body.get("rules");
            if (rules == null || !rules.isArray() || rules.isEmpty()) {
                throw ApiException.invalid("rules", "must be a non-empty array of rules with campaign_id");
            }
            List<DraftRule> drafts = new ArrayList<>();
            for (int i = 0; i < rules.size(); i++) {
                JsonNode rule = rules.get(i);
                try {
                    Integer campaign = Fields.integer(rule, "campaign_id");
                    if (campaign == null) {
                        throw ApiException.invalid("campaign_id", "is required");
                    }
                    drafts.add(new DraftRule(campaign, NewRule.fromJson(rule)));
                } catch (ApiException e) {
                    throw ApiException.invalid("rules[" + i + "]." + (e.field() == null ? "" : e.field()), e.getMessage());
                }
            }
            Instant now = Instant.now();
            String since = Fields.text(body, "since", false, 40);
            String until = Fields.text(body, "until", false, 40);
            Integer max = Fields.integer(body, "max_changes");
            return new Request(drafts, since == null ? now.minus(Duration.ofDays(7)) : when("since", since, now),
                    until == null ? null : when("until", until, now), max == null ? 100 : Math.max(0, Math.min(max, 10_000)));
        }
    }

    /** One side of the comparison. */
    public record Side(long processed, long skipped, Map<Long, BigDecimal> pointsByCampaign) {
    }

    /** An event whose outcome the draft changes. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Change(long eventId, Long currentRuleId, Long draftRuleId, BigDecimal currentPoints, BigDecimal draftPoints) {
    }

    /**
     * The refunds among the replayed events: purchases refunded in part or whole (both sides count
     * their points net of what was refunded, as the ledger does) and refund events in the window.
     */
    public record Refunds(long refundedPurchases, BigDecimal refundedAmount, long refundEvents) {
    }

    /** The comparison; draft rules carry negative ids (-1 for the first). */
    public record Report(long events, Instant since, Instant until, Side current, Side draft, long changed,
                         List<Change> changes, Refunds refunds, String note) {
    }

    private final DataSource dataSource;

    public Backtest(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** {@code 7d}, {@code 12h}, {@code 30m} before now, or an ISO-8601 timestamp. */
    public static Instant when(String field, String text, Instant now) {
        // At most seven digits: a longer count overflows a Duration, and reaches past year 1 anyway.
        Matcher m = java.util.regex.Pattern.compile("(\\d{1,7})([dhm])").matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return Fields.storableInstant(field, now.minus(switch (m.group(2)) {
                case "d" -> Duration.ofDays(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofMinutes(n);
            }));
        }
        return Fields.parseInstant(field, text);
    }

    public Report run(Request request) {
        // JDBC: one read-only transaction around the processor's RuleSetLoader (JDBC) and a replay of every event.
        return Jdbc.transaction(dataSource, connection -> {
            try (var statement = connection.createStatement()) {
                statement.execute("SET TRANSACTION READ ONLY");
            }
            RuleSet current = RuleSetLoader.load(connection);
            RuleSet draft = draft(connection, current, request.rules());
            return replay(connection, request, current, draft);
        });
    }

    private static RuleSet draft(Connection connection, RuleSet current, List<DraftRule> drafts) throws SQLException {
        Set<Long> replaced = new HashSet<>();
        List<ActiveRule> rules = new ArrayList<>();
        long id = 0;
        for (DraftRule draft : drafts) {
            Campaign campaign = campaign(connection, draft.campaignId());
            replaced.add(campaign.id());
            NewRule r = draft.rule();
            rules.add(ActiveRule.compile(new Rule(--id, campaign.id(), r.name(), r.priority(), r.conditions(), r.reward(),
                    Instant.now()), campaign));
        }
        for (ActiveRule rule : current.rules()) {
            if (!replaced.contains(rule.campaign().id())) {
                rules.add(rule);
            }
        }
        return RuleSet.of(rules);
    }

    private static Campaign campaign(Connection connection, long id) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + CampaignRows.CAMPAIGN_COLUMNS + " FROM campaigns WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.invalid("rules.campaign_id", "campaign " + id + " does not exist");
                }
                return CampaignRows.campaign(Row.of(rs));
            }
        }
    }

    private static Report replay(Connection connection, Request request, RuleSet current, RuleSet draft) throws SQLException {
        Tally now = new Tally();
        Tally next = new Tally();
        List<Change> changes = new ArrayList<>();
        long events = 0;
        long changed = 0;
        long refundedPurchases = 0;
        BigDecimal refundedAmount = BigDecimal.ZERO;
        try (PreparedStatement ps = connection.prepareStatement("SELECT id, external_id, customer_id, merchant_id, amount,"
                + " currency, occurred_at, transaction_data::text AS transaction_data, refunded FROM events"
                // Purchases only: a refund event earns nothing by rules; it reverses its purchase's earnings,
                // which the purchase's refunded amount stands for here.
                + " WHERE type = 'purchase' AND occurred_at >= ? AND (?::timestamptz IS NULL OR occurred_at < ?) ORDER BY id")) {
            ps.setFetchSize(2000);
            Jdbc.setInstant(ps, 1, request.since());
            Jdbc.setInstant(ps, 2, request.until());
            Jdbc.setInstant(ps, 3, request.until());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events++;
                    Instant at = Jdbc.instant(rs, "occurred_at");
                    BigDecimal amount = rs.getBigDecimal("amount");
                    JsonNode doc = EventDocument.of(rs.getLong("id"), rs.getString("external_id"), rs.getString("customer_id"),
                            rs.getString("merchant_id"), amount, rs.getString("currency"), at, Json.tree(rs.getString("transaction_data")));
                    BigDecimal refunded = rs.getBigDecimal("refunded");
                    if (refunded != null && refunded.signum() > 0) {
                        refundedPurchases++;
                        refundedAmount = refundedAmount.add(refunded);
                    }
                    List<RuleSet.Match> a = net(current.evaluate(doc, at, amount), amount, refunded);
                    List<RuleSet.Match> b = net(draft.evaluate(doc, at, amount), amount, refunded);
                    now.add(a);
                    next.add(b);
                    if (!sameOutcome(a, b)) {
                        changed++;
                        if (changes.size() < request.maxChanges()) {
                            changes.add(new Change(rs.getLong("id"), first(a), first(b), total(a), total(b)));
                        }
                    }
                }
            }
        }
        Refunds refunds = new Refunds(refundedPurchases, refundedAmount, refundEvents(connection, request));
        return new Report(events, request.since(), request.until(), now.side(), next.side(), changed, changes, refunds,
                "budgets and per-customer caps are not applied in a backtest; points are net of refunds");
    }

    /** The matches with each one's points less the share a refund of the purchase took back. */
    private static List<RuleSet.Match> net(List<RuleSet.Match> matches, BigDecimal amount, BigDecimal refunded) {
        if (refunded == null || refunded.signum() <= 0) {
            return matches;
        }
        List<RuleSet.Match> net = new ArrayList<>(matches.size());
        for (RuleSet.Match match : matches) {
            net.add(new RuleSet.Match(match.rule(),
                    match.points().subtract(Decision.withheld(match.points(), amount, refunded))));
        }
        return net;
    }

    private static long refundEvents(Connection connection, Request request) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT count(*) FROM events WHERE type = 'refund'"
                + " AND occurred_at >= ? AND (?::timestamptz IS NULL OR occurred_at < ?)")) {
            Jdbc.setInstant(ps, 1, request.since());
            Jdbc.setInstant(ps, 2, request.until());
            Jdbc.setInstant(ps, 3, request.until());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static boolean sameOutcome(List<RuleSet.Match> a, List<RuleSet.Match> b) {
        return java.util.Objects.equals(first(a), first(b)) && total(a).compareTo(total(b)) == 0;
    }

    private static Long first(List<RuleSet.Match> matches) {
        return matches.isEmpty() ? null : matches.get(0).rule().rule().id();
    }

    private static BigDecimal total(List<RuleSet.Match> matches) {
        BigDecimal sum = BigDecimal.ZERO;
        for (RuleSet.Match match : matches) {
            sum = sum.add(match.points());
        }
        return sum;
    }

    private static final class Tally {
        long processed;
        long skipped;
        final Map<Long, BigDecimal> points = new TreeMap<>();

        void add(List<RuleSet.Match> matches) {
            if (matches.isEmpty()) {
                skipped++;
                return;
            }
            processed++;
            for (RuleSet.Match match : matches) {
                points.merge(match.rule().campaign().id(), match.points(), BigDecimal::add);
            }
        }

        Side side() {
            return new Side(processed, skipped, points);
        }
    }
}
