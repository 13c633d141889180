package dev.campaignctl.core.agent;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.event.EventBatch;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A batch of events from a JSON array or NDJSON, validated record by record before anything is
 * sent. Every valid event carries an idempotency key: its {@code external_id}, or one derived from
 * its content, so running the same file again registers only what is missing.
 */
public final class EventFile {

    /** A valid record, at its line. */
    public record Record(int line, NewEvent event) {
    }

    /** An invalid record: where, and what is wrong. */
    public record Invalid(int line, String field, String message) {
        @Override
        public String toString() {
            return "line " + line + ": " + (field == null ? "" : field + ": ") + message;
        }
    }

    private final List<Record> records;
    private final List<Invalid> invalid;

    private EventFile(List<Record> records, List<Invalid> invalid) {
        this.records = records;
        this.invalid = invalid;
    }

    public List<Record> records() {
        return records;
    }

    public List<Invalid> invalid() {
        return invalid;
    }

    /**
     * Reads a JSON array or NDJSON. Records are read token by token as the batch endpoint reads
     * them ({@link EventBatch#entry}), so transaction data stays text; only a record without an
     * {@code external_id} is read into a tree, for the key derived from its content.
     */
    public static EventFile parse(byte[] content) {
        int first = 0;
        while (first < content.length && Character.isWhitespace(content[first])) {
            first++;
        }
        return first < content.length && content[first] == '[' ? array(content) : ndjson(content);
    }

    private static EventFile array(byte[] content) {
        List<Record> records = new ArrayList<>();
        List<Invalid> invalid = new ArrayList<>();
        try (JsonParser parser = Json.MAPPER.createParser(content)) {
            parser.nextToken();
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (token == null) {
                    throw ApiException.invalid(null, "line " + parser.currentLocation().getLineNr()
                            + ": the JSON array is not closed");
                }
                int line = parser.currentTokenLocation().getLineNr();
                int start = (int) parser.currentTokenLocation().getByteOffset();
                EventBatch.Entry entry = EventBatch.entry(records.size(), line, parser, content, 0);
                int end = (int) parser.currentLocation().getByteOffset();
                add(line, entry, content, start, end, records, invalid);
            }
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "line " + e.getLocation().getLineNr() + ": invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.invalid(null, "cannot read events: " + e.getMessage());
        }
        return new EventFile(records, invalid);
    }

    private static EventFile ndjson(byte[] content) {
        List<Record> records = new ArrayList<>();
        List<Invalid> invalid = new ArrayList<>();
        EventBatch.forEachLine(content, (line, start, end) -> {
            try (JsonParser parser = Json.MAPPER.createParser(content, start, end - start)) {
                parser.nextToken();
                add(line, EventBatch.entry(records.size(), line, parser, content, start), content, start, end, records, invalid);
            } catch (JsonProcessingException e) {
                invalid.add(new Invalid(line, null, "invalid JSON: " + e.getOriginalMessage()));
            } catch (IOException e) {
                throw ApiException.invalid(null, "cannot read events: " + e.getMessage());
            }
        });
        return new EventFile(records, invalid);
    }

    /** A parsed record; {@code start..end} are its bytes in {@code content}, read again only to derive a key. */
    private static void add(int line, EventBatch.Entry entry, byte[] content, int start, int end,
                            List<Record> records, List<Invalid> invalid) throws IOException {
        if (entry.event() == null) {
            invalid.add(new Invalid(line, entry.error().field(), entry.error().message()));
        } else if (entry.event().externalId() != null) {
            records.add(new Record(line, entry.event()));
        } else {
            records.add(new Record(line, withKey(entry.event(), Json.MAPPER.readTree(content, start, end - start))));
        }
    }

    private static NewEvent withKey(NewEvent event, JsonNode record) {
        return event.withExternalId(derivedKey(record));
    }

    /** {@code sha256:} + the hash of the record with its keys sorted, so key order does not matter. */
    static String derivedKey(JsonNode record) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(Json.write(canonical(record)).getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode canonical(JsonNode node) {
        if (node.isObject()) {
            Map<String, JsonNode> sorted = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                sorted.put(field.getKey(), canonical(field.getValue()));
            }
            ObjectNode out = Json.MAPPER.createObjectNode();
            sorted.forEach(out::set);
            return out;
        }
        if (node.isArray()) {
            var out = Json.MAPPER.createArrayNode();
            node.forEach(element -> out.add(canonical(element)));
            return out;
        }
        if (node.isNumber()) {
            return Json.MAPPER.getNodeFactory().numberNode(dev.campaignctl.core.json.Decimals.plain(node.decimalValue()));
        }
        return node;
    }
}
