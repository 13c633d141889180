package dev.campaignctl.core.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorBody;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.json.Fields;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
        return ndjson ? ndjson(body) : array(body);
    }

    /**
     * Reads the array token by token: each event's top-level fields become a small tree for
     * validation, while its {@code transaction_data} object is only checked for syntax and kept as
     * the request's own text (see {@link NewEvent}).
     */
    private static List<Entry> array(byte[] body) {
        try (JsonParser parser = Json.MAPPER.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_ARRAY) {
                throw ApiException.invalid(null, "a batch must be a JSON array of events (or NDJSON with Content-Type application/x-ndjson)");
            }
            List<Entry> entries = new ArrayList<>();
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (token == null) {
                    throw ApiException.invalid(null, "malformed JSON: the array is not closed");
                }
                checkSize(entries.size() + 1);
                entries.add(entry(entries.size(), null, parser, body, 0));
            }
            return entries;
        } catch (IOException e) {
            throw ApiException.invalid(null, "malformed JSON: " + message(e));
        }
    }

    private static List<Entry> ndjson(byte[] body) {
        List<Entry> entries = new ArrayList<>();
        forEachLine(body, (line, start, end) -> {
            checkSize(entries.size() + 1);
            int index = entries.size();
            try (JsonParser parser = Json.MAPPER.createParser(body, start, end - start)) {
                parser.nextToken();
                entries.add(entry(index, line, parser, body, start));
            } catch (IOException e) {
                entries.add(new Entry(index, line, null,
                        new ErrorBody("validation_failed", "line " + line + ": malformed JSON: " + message(e), null)));
            }
        });
        return entries;
    }

    /** What {@link #forEachLine} calls for each line. */
    @FunctionalInterface
    public interface LineVisitor {
        void line(int number, int start, int end);
    }

    /**
     * Calls {@code visitor} with each line of NDJSON that is not blank: its number (from 1) and its
     * bytes {@code start..end} in {@code body}. A line ends at LF; a CR before it is left to the
     * JSON parser, which takes it as whitespace.
     */
    public static void forEachLine(byte[] body, LineVisitor visitor) {
        int number = 0;
        for (int start = 0; start < body.length; ) {
            int end = start;
            while (end < body.length && body[end] != '\n') {
                end++;
            }
            number++;
            if (!isBlank(body, start, end)) {
                visitor.line(number, start, end);
            }
            start = end + 1;
        }
    }

    private static boolean isBlank(byte[] body, int start, int end) {
        for (int i = start; i < end; i++) {
            if (!Character.isWhitespace(body[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * One event, the parser on its first token. {@code offset} is where the parser's input starts in
     * {@code body}, as token offsets are relative to it.
     */
    public static Entry entry(int index, Integer line, JsonParser parser, byte[] body, int offset) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            return validated(index, line, Json.MAPPER.readTree(parser), null);
        }
        ObjectNode fields = Json.MAPPER.createObjectNode();
        String transactionData = null;
        ApiException dataProblem = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("transaction_data") && value == JsonToken.START_OBJECT) {
                long tokenOffset = parser.currentTokenLocation().getByteOffset();
                if (tokenOffset < 0) {
                    // Jackson read the body as UTF-16 or UTF-32: there are no byte offsets to slice by.
                    throw ApiException.invalid(null, "the request body must be UTF-8");
                }
                int start = offset + (int) tokenOffset;
                dataProblem = skipData(parser);
                int end = offset + (int) parser.currentLocation().getByteOffset();
                transactionData = new String(body, start, end - start, StandardCharsets.UTF_8);
                fields.remove(name);
            } else {
                fields.set(name, value(parser, value));
                if (name.equals("transaction_data")) {
                    transactionData = null;
                }
            }
        }
        if (dataProblem != null) {
            return new Entry(index, line, null, ErrorBody.of(dataProblem));
        }
        return validated(index, line, fields, transactionData);
    }

    /**
     * Skips the transaction data object the parser is on, as {@code skipChildren} would, checking
     * on the way that each number can be stored and read back (see {@link Fields#storableNumber});
     * returns the first problem, having read to the object's end either way.
     */
    private static ApiException skipData(JsonParser parser) throws IOException {
        ApiException problem = null;
        for (int depth = 1; depth > 0; ) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new JsonEOFException(parser, null, "unexpected end of input in transaction_data");
            }
            switch (token) {
                case START_OBJECT, START_ARRAY -> depth++;
                case END_OBJECT, END_ARRAY -> depth--;
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                    if (problem == null && !plainlyShort(parser)) {
                        try {
                            Fields.storableNumber("transaction_data", parser.getDecimalValue());
                        } catch (ApiException e) {
                            problem = e;
                        }
                    }
                }
                default -> { }
            }
        }
        return problem;
    }

    /** A number token of at most 100 characters without an exponent needs no closer look. */
    private static boolean plainlyShort(JsonParser parser) throws IOException {
        int length = parser.getTextLength();
        if (length > Fields.MAX_JSON_NUMBER_DIGITS) {
            return false;
        }
        char[] text = parser.getTextCharacters();
        int from = parser.getTextOffset();
        for (int i = from; i < from + length; i++) {
            if (text[i] == 'e' || text[i] == 'E') {
                return false;
            }
        }
        return true;
    }

    /** The value at the parser: scalars made directly, the rare nested value through a tree. */
    private static JsonNode value(JsonParser parser, JsonToken token) throws IOException {
        JsonNodeFactory nodes = Json.MAPPER.getNodeFactory();
        return switch (token) {
            case VALUE_STRING -> nodes.textNode(parser.getText());
            case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                case INT -> nodes.numberNode(parser.getIntValue());
                case LONG -> nodes.numberNode(parser.getLongValue());
                default -> nodes.numberNode(parser.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> nodes.numberNode(parser.getDecimalValue());
            case VALUE_TRUE -> nodes.booleanNode(true);
            case VALUE_FALSE -> nodes.booleanNode(false);
            case VALUE_NULL -> nodes.nullNode();
            default -> Json.MAPPER.readTree(parser);
        };
    }

    private static Entry validated(int index, Integer line, JsonNode fields, String transactionData) {
        try {
            NewEvent event = transactionData == null ? NewEvent.fromJson(fields) : NewEvent.fromJson(fields, transactionData);
            return new Entry(index, line, event, null);
        } catch (ApiException e) {
            return new Entry(index, line, null, ErrorBody.of(e));
        }
    }

    private static void checkSize(int size) {
        if (size > MAX_EVENTS) {
            throw new ApiException(ErrorKind.PAYLOAD_TOO_LARGE, null,
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
