package dev.campaignctl.core.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * One text per meaning: object keys sorted at every level and numbers without padding zeros, so
 * {@code {"b": [2.50], "a": 1}} and {@code {"a": 1.0, "b": [2.5]}} read the same. What idempotency
 * keys and request fingerprints are hashed over, so that layout and key order never matter.
 *
 * <pre>{@code
 * String digest = CanonicalJson.sha256Hex(CanonicalJson.write(newEvent));
 * }</pre>
 */
public final class CanonicalJson {

    private CanonicalJson() {
    }

    /** The canonical form of a tree. */
    public static JsonNode of(JsonNode node) {
        if (node.isObject()) {
            Map<String, JsonNode> sorted = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                sorted.put(field.getKey(), of(field.getValue()));
            }
            ObjectNode out = Json.MAPPER.createObjectNode();
            sorted.forEach(out::set);
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = Json.MAPPER.createArrayNode();
            node.forEach(element -> out.add(of(element)));
            return out;
        }
        if (node.isNumber()) {
            return Json.MAPPER.getNodeFactory().numberNode(Decimals.plain(node.decimalValue()));
        }
        return node;
    }

    /**
     * The canonical JSON text of a value as the project's mapper writes it. Written out and read
     * back first, so values with raw JSON parts (an event's transaction data) are canonical too.
     */
    public static String write(Object value) {
        return Json.write(of(Json.tree(Json.write(value))));
    }

    /** The SHA-256 of the text's UTF-8 bytes, in lower-case hex. */
    public static String sha256Hex(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
