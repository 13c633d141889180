package dev.campaignctl.core.ai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.util.Arrays;

/**
 * One OpenAI {@code chat.completion.chunk} on its way to the client, with what the gateway reads
 * of it: the ids, the content and finish reason (to rebuild the answer for the cache and to
 * estimate a cut stream's spend), and the usage. An OpenAI provider's chunk is read by a streaming
 * parse and passed on as the bytes that came, less its {@code usage} member when the client did
 * not ask for usage; a translated one (Anthropic's, a cached answer's) is written from its tree.
 */
public final class StreamChunk {

    private final byte[] json;
    /**
     * The top-level {@code usage} members of {@link #json} (from its name to its value's end), as
     * start, end pairs in order; empty when it has none. (A chunk may repeat the member.)
     */
    private final int[] usageRanges;
    private final ObjectNode tree;
    private final String id;
    private final String model;
    private final long created;
    private final String content;
    private final String finishReason;
    private final int choices;
    private final Usage usage;
    private final String error;

    private StreamChunk(byte[] json, int[] usageRanges, ObjectNode tree, String id, String model, long created,
            String content, String finishReason, int choices, Usage usage, String error) {
        this.json = json;
        this.usageRanges = usageRanges;
        this.tree = tree;
        this.id = id;
        this.model = model;
        this.created = created;
        this.content = content;
        this.finishReason = finishReason;
        this.choices = choices;
        this.usage = usage;
        this.error = error;
    }

    /** A chunk built here, written from its tree. */
    public static StreamChunk of(ObjectNode chunk) {
        JsonNode choice = chunk.path("choices").path(0);
        JsonNode content = choice.path("delta").path("content");
        JsonNode usage = chunk.path("usage");
        return new StreamChunk(null, NONE, chunk, text(chunk.path("id")), text(chunk.path("model")),
                chunk.path("created").canConvertToLong() ? chunk.path("created").asLong() : -1,
                content.isTextual() ? content.textValue() : null, choice.path("finish_reason").isTextual()
                ? choice.path("finish_reason").textValue() : null, chunk.path("choices").size(),
                usage.isObject() ? usageOf(usage) : null, chunk.has("error") ? errorOf(chunk.get("error")) : null);
    }

    private static final int[] NONE = {};

    private static String text(JsonNode node) {
        return node.isValueNode() && !node.isNull() ? node.asText() : null;
    }

    /**
     * Reads a chunk as a provider sent it; null when it is JSON but not an object, or empty (skipped,
     * as before). Throws IOException when it is not one JSON value in UTF-8: the parser would also
     * take a byte order mark, UTF-16 or UTF-32, which the client would then get as they came.
     */
    static StreamChunk parse(byte[] json) throws IOException {
        if (json.length >= 3 && (json[0] & 0xFF) == 0xEF && (json[1] & 0xFF) == 0xBB && (json[2] & 0xFF) == 0xBF) {
            throw new IOException("a byte order mark");
        }
        for (byte b : json) {
            if (b == 0) {
                // UTF-8 JSON never holds one (control characters are escaped); UTF-16 and UTF-32 always do.
                throw new IOException("a NUL byte");
            }
        }
        String id = null;
        String model = null;
        long created = -1;
        String content = null;
        String finishReason = null;
        int choices = 0;
        Usage usage = null;
        String error = null;
        int[] usageRanges = NONE;
        int usageEnds = 0;
        try (JsonParser p = Json.MAPPER.createParser(json)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return null;
            }
            if (first != JsonToken.START_OBJECT) {
                p.skipChildren();
                if (p.nextToken() != null) {
                    throw new IOException("more than one JSON value");
                }
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                int nameStart = (int) p.currentTokenLocation().getByteOffset();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "id" -> id = scalar(p, value, id);
                    case "model" -> model = scalar(p, value, model);
                    case "created" -> created = value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                            ? p.getLongValue() : created;
                    case "error" -> error = errorOf(p.readValueAsTree());
                    case "usage" -> {
                        if (value == JsonToken.START_OBJECT) {
                            usage = usageOf(p.readValueAsTree());
                        } else {
                            p.skipChildren();
                            // A string is read lazily: its end is where the parser stands once it is read.
                            p.finishToken();
                        }
                        int end = (int) p.currentLocation().getByteOffset();
                        if (nameStart < 0 || end <= nameStart || end > json.length) {
                            throw new IOException("a usage member the parser cannot place");
                        }
                        if (usageEnds == usageRanges.length) {
                            // Doubling: a broken provider may repeat the member many times in one chunk.
                            usageRanges = Arrays.copyOf(usageRanges, Math.max(2, usageRanges.length * 2));
                        }
                        usageRanges[usageEnds++] = nameStart;
                        usageRanges[usageEnds++] = end;
                    }
                    case "choices" -> {
                        if (value != JsonToken.START_ARRAY) {
                            p.skipChildren();
                            break;
                        }
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            choices++;
                            if (choices > 1 || p.currentToken() != JsonToken.START_OBJECT) {
                                p.skipChildren();
                                continue;
                            }
                            // The first choice: its delta's content and its finish reason.
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String field = p.currentName();
                                JsonToken fieldValue = p.nextToken();
                                if (field.equals("finish_reason") && fieldValue == JsonToken.VALUE_STRING) {
                                    finishReason = p.getText();
                                } else if (field.equals("delta") && fieldValue == JsonToken.START_OBJECT) {
                                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                                        boolean isContent = p.currentName().equals("content");
                                        if (p.nextToken() == JsonToken.VALUE_STRING && isContent) {
                                            content = p.getText();
                                        } else {
                                            p.skipChildren();
                                        }
                                    }
                                } else {
                                    p.skipChildren();
                                }
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new IOException("more than one JSON value");
            }
        }
        return new StreamChunk(json, Arrays.copyOf(usageRanges, usageEnds), null, id, model, created, content, finishReason, choices, usage, error);
    }

    private static String scalar(JsonParser p, JsonToken value, String otherwise) throws IOException {
        if (value.isScalarValue() && value != JsonToken.VALUE_NULL) {
            return p.getText();
        }
        p.skipChildren();
        return otherwise;
    }

    private static Usage usageOf(JsonNode usage) {
        return new Usage(usage.path("prompt_tokens").asLong(-1), usage.path("completion_tokens").asLong(-1));
    }

    private static String errorOf(JsonNode error) {
        return error.path("message").asText("no message");
    }

    /**
     * The chunk as the client gets it: with its {@code usage} member, or without it (a client that
     * did not ask for usage gets none, though the gateway asked the provider for it). Line breaks
     * outside strings (JSON allows them there only) become spaces: an SSE data line cannot hold one.
     */
    public byte[] json(boolean withUsage) {
        if (tree != null) {
            if (!withUsage && tree.has("usage")) {
                ObjectNode copy = tree.deepCopy();
                copy.remove("usage");
                return Json.bytes(copy);
            }
            return Json.bytes(tree);
        }
        byte[] out = withUsage || usageRanges.length == 0 ? json : cut(json, usageRanges);
        for (int i = 0; i < out.length; i++) {
            if (out[i] == '\n' || out[i] == '\r') {
                if (out == json) {
                    out = json.clone();
                }
                out[i] = ' ';
            }
        }
        return out;
    }

    /**
     * {@code json} without the members at {@code ranges} (start, end pairs in order), each with one
     * comma beside it: the one before it unless an earlier cut took it, else the one after it. One
     * pass, however many members a chunk repeats.
     */
    private static byte[] cut(byte[] json, int[] ranges) {
        int[] cuts = new int[ranges.length];
        int taken = 0;
        int removed = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            int from = ranges[r];
            int to = ranges[r + 1];
            int before = from - 1;
            while (whitespace(json[before])) {
                before--;
            }
            if (json[before] == ',' && before >= taken) {
                from = before;
            } else {
                int after = to;
                while (after < json.length && whitespace(json[after])) {
                    after++;
                }
                if (after < json.length && json[after] == ',') {
                    to = after + 1;
                }
            }
            cuts[r] = from;
            cuts[r + 1] = to;
            taken = to;
            removed += to - from;
        }
        byte[] out = new byte[json.length - removed];
        int read = 0;
        int written = 0;
        for (int r = 0; r < cuts.length; r += 2) {
            System.arraycopy(json, read, out, written, cuts[r] - read);
            written += cuts[r] - read;
            read = cuts[r + 1];
        }
        System.arraycopy(json, read, out, written, json.length - read);
        return out;
    }

    private static boolean whitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    /** No choices and a usage object: the last chunk of a stream whose usage was asked for. */
    public boolean usageOnly() {
        return choices == 0 && usage != null;
    }

    String id() {
        return id;
    }

    String model() {
        return model;
    }

    /** Its {@code created}, or -1. */
    long created() {
        return created;
    }

    /** The first choice's delta's content, or null. */
    String content() {
        return content;
    }

    String finishReason() {
        return finishReason;
    }

    /** Its usage object's counts (-1 for those missing), or null when it has none. */
    Usage usage() {
        return usage;
    }

    /** The message of its {@code error} member, or null when it has none. */
    String error() {
        return error;
    }
}
