package dev.campaignctl.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The benchmarks' shared workload: 50 rules of mixed operators and realistic events (nested
 * merchant, item arrays, tags), both deterministic for a given seed.
 */
public final class Workload {

    private static final String[] CATEGORIES = {"shoes", "socks", "hats", "bags", "coats", "toys", "books"};
    private static final String[] CITIES = {"Paris", "Lyon", "Berlin", "Madrid", "Rome"};

    private Workload() {
    }

    /** Rule {@code i} of 50, as {@code {"priority", "conditions", "reward"}}. */
    public static ObjectNode rule(int i) {
        // Selective, as real programmes are: an event earns in about one campaign on average.
        String conditions = switch (i % 10) {
            case 0 -> "{\"merchant_id\": \"M" + (i % 40) + "\"}";
            case 1 -> "{\"amount\": {\"$gte\": " + (50 + i * 5) + ", \"$lt\": " + (58 + i * 5) + "}}";
            case 2 -> "{\"transaction_data.items.category\": {\"$in\": [\"" + CATEGORIES[i % 7] + "\"]}, \"transaction_data.items.qty\": {\"$gte\": 4}}";
            case 3 -> "{\"transaction_data.merchant.city\": \"" + CITIES[i % 5] + "\", \"currency\": \"USD\"}";
            case 4 -> "{\"transaction_data.items\": {\"$elemMatch\": {\"category\": \"" + CATEGORIES[i % 7] + "\", \"qty\": {\"$gte\": 4}}}}";
            case 5 -> "{\"$or\": [{\"transaction_data.channel\": \"web\"}, {\"transaction_data.tags\": \"vip\"}], \"amount\": {\"$gt\": " + (250 + i) + "}}";
            case 6 -> "{\"customer_id\": {\"$regex\": \"^C1" + (i % 10) + "\\\\d$\"}}";
            case 7 -> "{\"transaction_data.coupon\": {\"$exists\": true}, \"transaction_data.tags\": {\"$size\": 2}}";
            case 8 -> "{\"merchant_id\": {\"$nin\": [\"M1\", \"M2\", \"M3\"]}, \"transaction_data.merchant.city\": {\"$ne\": \"Rome\"}, \"amount\": {\"$lte\": " + (i / 4) + "}}";
            default -> "{\"$and\": [{\"currency\": \"USD\"}, {\"transaction_data.items.qty\": {\"$gt\": 4}}], \"occurred_at\": {\"$gte\": \"2024-01-01T00:00:00Z\"}}";
        };
        ObjectNode rule = Json.MAPPER.createObjectNode();
        rule.put("name", "bench rule " + i);
        rule.put("priority", 100 - i);
        rule.set("conditions", Json.tree(conditions));
        ObjectNode reward = rule.putObject("reward");
        reward.put("type", i % 3 == 0 ? "fixed" : i % 3 == 1 ? "percentage" : "per_unit");
        reward.put("value", 1 + i % 10);
        return rule;
    }

    /** An event body as for POST /events. */
    public static ObjectNode event(Random random, String externalId) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        if (externalId != null) {
            event.put("external_id", externalId);
        }
        event.put("customer_id", "C" + random.nextInt(5000));
        event.put("merchant_id", "M" + random.nextInt(60));
        event.put("amount", Math.round(random.nextDouble() * 30000) / 100.0);
        event.put("currency", random.nextInt(4) == 0 ? "USD" : "EUR");
        ObjectNode data = event.putObject("transaction_data");
        data.put("channel", random.nextBoolean() ? "web" : "store");
        ObjectNode merchant = data.putObject("merchant");
        merchant.put("city", CITIES[random.nextInt(CITIES.length)]);
        var items = data.putArray("items");
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
            ObjectNode item = items.addObject();
            item.put("category", CATEGORIES[random.nextInt(CATEGORIES.length)]);
            item.put("qty", 1 + random.nextInt(5));
            item.put("price", Math.round(random.nextDouble() * 10000) / 100.0);
        }
        var tags = data.putArray("tags");
        if (random.nextInt(5) == 0) {
            tags.add("vip");
        }
        tags.add(random.nextBoolean() ? "new" : "returning");
        if (random.nextInt(10) == 0) {
            data.put("coupon", "SPRING10");
        }
        return event;
    }

    /** Event documents as the processor builds them (top-level fields plus transaction_data). */
    public static List<JsonNode> documents(int count, long seed) {
        Random random = new Random(seed);
        List<JsonNode> documents = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ObjectNode body = event(random, null);
            body.put("occurred_at", "2024-03-0" + (1 + i % 9) + "T12:00:00Z");
            body.set("amount", Json.MAPPER.getNodeFactory().numberNode(body.get("amount").decimalValue()));
            documents.add(body);
        }
        return documents;
    }
}
