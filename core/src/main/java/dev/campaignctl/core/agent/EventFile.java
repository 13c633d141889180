package dev.campaignctl.core.agent;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.event.EventBatch;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.json.CanonicalJson;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.json.Utf8;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A batch of events from a JSON array or NDJSON, validated record by record before anything is
 * sent. Every valid event carries an idempotency key: its {@code external_id}, or one derived from
 * the file's identity, the record's position and its content, so running the same file again
 * registers only what is missing, while two identical purchases on two lines are two events.
 *
 * <p>The identity is a name the caller gives the file (the CLI: its file name, so a file moved to
 * another folder and run again is still the same file), or else the SHA-256 of its bytes. The
 * position counts every record, valid or not, so fixing an invalid record in place and running the
 * file again adds just that record. Keys are sent as {@code external_id}s rather than
 * {@code Idempotency-Key}s: they last as long as the events (keys are purged after two days) and
 * the batch endpoint deduplicates per event with them.
 *
 * <pre>{@code
 * EventFile file = EventFile.parse(Files.readAllBytes(path), path.getFileName().toString());
 * }</pre>
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

    /** Reads a file without a name: its identity is its content. */
    public static EventFile parse(byte[] content) {
        return parse(content, null);
    }

    /**
     * Reads a JSON array or NDJSON. Records are read token by token as the batch endpoint reads
     * them ({@link EventBatch#entry}), so transaction data stays text; only a record without an
     * {@code external_id} is read into a tree, for the key derived from its content.
     *
     * @param name the file's identity for derived keys, or null to take its content's hash
     */
    public static EventFile parse(byte[] content, String name) {
        // Transaction data is kept as its bytes: text that is not UTF-8 would be stored altered.
        Utf8.require(content, "the file");
        String identity = name != null ? "name:" + name : "sha256:" + sha256Hex(content);
        int first = 0;
        while (first < content.length && Character.isWhitespace(content[first])) {
            first++;
        }
        return first < content.length && content[first] == '[' ? array(content, identity) : ndjson(content, identity);
    }

    private static EventFile array(byte[] content, String identity) {
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
                int position = records.size() + invalid.size();
                EventBatch.Entry entry = EventBatch.entry(records.size(), line, parser, content, 0);
                int end = (int) parser.currentLocation().getByteOffset();
                add(new Place(identity, position, line), entry, content, start, end, records, invalid);
            }
        } catch (JsonProcessingException e) {
            // A broken constraint (nesting too deep, a number too long) has no location.
            String where = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ": ";
            throw ApiException.invalid(null, where + "invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.invalid(null, "cannot read events: " + e.getMessage());
        }
        return new EventFile(records, invalid);
    }

    private static EventFile ndjson(byte[] content, String identity) {
        List<Record> records = new ArrayList<>();
        List<Invalid> invalid = new ArrayList<>();
        EventBatch.forEachLine(content, (line, start, end) -> {
            Place place = new Place(identity, records.size() + invalid.size(), line);
            try (JsonParser parser = Json.MAPPER.createParser(content, start, end - start)) {
                parser.nextToken();
                add(place, EventBatch.entry(records.size(), line, parser, content, start), content, start, end, records, invalid);
            } catch (JsonProcessingException e) {
                invalid.add(new Invalid(line, null, "invalid JSON: " + e.getOriginalMessage()));
            } catch (IOException e) {
                throw ApiException.invalid(null, "cannot read events: " + e.getMessage());
            }
        });
        return new EventFile(records, invalid);
    }

    /** Where a record is: the file's identity, the record's position among all records (from 0), its line. */
    private record Place(String identity, int position, int line) {
    }

    /** A parsed record; {@code start..end} are its bytes in {@code content}, read again only to derive a key. */
    private static void add(Place place, EventBatch.Entry entry, byte[] content, int start, int end,
                            List<Record> records, List<Invalid> invalid) throws IOException {
        if (entry.event() == null) {
            invalid.add(new Invalid(place.line(), entry.error().field(), entry.error().message()));
        } else if (entry.event().externalId() != null) {
            records.add(new Record(place.line(), entry.event()));
        } else {
            JsonNode record = Json.MAPPER.readTree(content, start, end - start);
            records.add(new Record(place.line(), entry.event().withExternalId(derivedKey(place.identity(), place.position(), record))));
        }
    }

    /**
     * {@code sha256:} + the hash of the file's identity, the record's position and the record with
     * its keys sorted (so layout and key order do not matter), cut to 160 bits.
     */
    static String derivedKey(String identity, int position, JsonNode record) {
        String hash = CanonicalJson.sha256Hex(identity + "\n" + position + "\n" + Json.write(CanonicalJson.of(record)));
        return "sha256:" + hash.substring(0, 40);
    }

    private static String sha256Hex(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
