package dev.campaignctl.core.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.api.ErrorBody;
import dev.campaignctl.core.json.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a batch of events, a JSON array or NDJSON (one object per line), into valid events and
 * per-item rejections, so one bad record never sinks the others.
 */
public final class EventBatch {

    /** Most events one request may carry; larger files are split by the client. */
    public static final int MAX_EVENTS = 10_000;

    /** One parsed item: an event, or the reason it was rejected. */
    public record Entry(int index, Integer line, NewEvent event, ErrorBody error) {
    }

    private EventBatch() {
    }

    public static List<Entry> parse(byte[] body, boolean ndjson) {
        return ndjson ? ndjson(new String(body, java.nio.charset.StandardCharsets.UTF_8)) : array(body);
    }

    private static List<Entry> array(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw ApiException.invalid(null, "malformed JSON: " + message(e));
        }
        if (root == null || !root.isArray()) {
            throw ApiException.invalid(null, "a batch must be a JSON array of events (or NDJSON with Content-Type application/x-ndjson)");
        }
        checkSize(root.size());
        List<Entry> entries = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            entries.add(entry(i, null, root.get(i)));
        }
        return entries;
    }

    private static List<Entry> ndjson(String body) {
        List<Entry> entries = new ArrayList<>();
        String[] lines = body.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            checkSize(entries.size() + 1);
            int index = entries.size();
            try {
                entries.add(entry(index, i + 1, Json.MAPPER.readTree(lines[i])));
            } catch (JsonProcessingException e) {
                entries.add(new Entry(index, i + 1, null,
                        new ErrorBody("validation_failed", "line " + (i + 1) + ": malformed JSON: " + message(e), null)));
            }
        }
        return entries;
    }

    private static Entry entry(int index, Integer line, JsonNode node) {
        try {
            return new Entry(index, line, NewEvent.fromJson(node), null);
        } catch (ApiException e) {
            return new Entry(index, line, null, ErrorBody.of(e));
        }
    }

    private static void checkSize(int size) {
        if (size > MAX_EVENTS) {
            throw new ApiException(dev.campaignctl.core.api.ErrorKind.PAYLOAD_TOO_LARGE, null,
                    "a batch holds at most " + MAX_EVENTS + " events");
        }
    }

    private static String message(Exception e) {
        return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }

    /** Joins the store's results for the valid events with the rejections, in input order. */
    public static BatchResult merge(List<Entry> entries, List<BatchResult.Item> stored) {
        List<BatchResult.Item> items = new ArrayList<>(entries.size());
        int next = 0;
        for (Entry entry : entries) {
            if (entry.event() == null) {
                items.add(new BatchResult.Item(entry.index(), entry.line(), null, null, "rejected", entry.error()));
            } else {
                BatchResult.Item item = stored.get(next++);
                items.add(new BatchResult.Item(entry.index(), entry.line(), item.id(), item.externalId(), item.status(), item.error()));
            }
        }
        return BatchResult.of(items);
    }
}
