package dev.campaignctl.core.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Fields;
import dev.campaignctl.core.json.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An OpenAI Chat Completions request ({@code POST /v1/chat/completions}), validated: the fields the
 * gateway reads or translates, and the body as sent, whose other fields (tools, seed, ...) go to
 * an OpenAI-compatible provider unchanged.
 */
public record ChatRequest(ObjectNode body, String model, List<Message> messages, Integer maxTokens, Double temperature,
                          Double topP, List<String> stop, boolean stream, boolean includeUsage) {

    public static final int MAX_MESSAGES = 10_000;
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    /** One message, its content as text (text parts of a content array joined). */
    public record Message(String role, String text) {
    }

    public static ChatRequest fromJson(JsonNode json) {
        ObjectNode body = Fields.object(json, "chat completion request");
        String model = Fields.text(body, "model", true, 200);
        JsonNode list = body.get("messages");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw ApiException.invalid("messages", "must be a non-empty array of messages");
        }
        if (list.size() > MAX_MESSAGES) {
            throw ApiException.invalid("messages", "must hold at most " + MAX_MESSAGES + " messages, got " + list.size());
        }
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            messages.add(message(list.get(i), "messages[" + i + "]"));
        }
        // Both limits are checked, and the larger is what a reservation covers: a provider may honour
        // either (OpenAI's newer field, or the older one that compatible servers still read).
        Integer maxTokens = null;
        for (String field : List.of("max_completion_tokens", "max_tokens")) {
            Integer limit = Fields.integer(body, field);
            if (limit != null && (limit < 1 || limit > GenerateRequest.MAX_TOKENS)) {
                throw ApiException.invalid(field, "must be 1 to " + GenerateRequest.MAX_TOKENS + ", got " + limit);
            }
            if (limit != null && (maxTokens == null || limit > maxTokens)) {
                maxTokens = limit;
            }
        }
        Double temperature = bounded(body, "temperature", 2);
        Double topP = bounded(body, "top_p", 1);
        Integer n = Fields.integer(body, "n");
        if (n != null && n != 1) {
            throw ApiException.invalid("n", "only n = 1 is supported, got " + n);
        }
        boolean stream = flag(body, "stream");
        boolean includeUsage = false;
        JsonNode options = body.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw ApiException.invalid("stream_options", "must be an object");
            }
            includeUsage = flag((ObjectNode) options, "include_usage");
        }
        return new ChatRequest(body, model, List.copyOf(messages), maxTokens, temperature, topP, stop(body), stream, includeUsage);
    }

    private static Message message(JsonNode node, String where) {
        if (!node.isObject()) {
            throw ApiException.invalid(where, "must be an object with role and content");
        }
        String role = node.path("role").asText("");
        if (!ROLES.contains(role)) {
            throw ApiException.invalid(where + ".role", "must be one of system, developer, user, assistant, tool");
        }
        JsonNode content = node.get("content");
        if (content == null || content.isNull()) {
            if (!role.equals("assistant")) {
                throw ApiException.invalid(where + ".content", "is required");
            }
            return new Message(role, "");
        }
        if (content.isTextual()) {
            return new Message(role, content.textValue());
        }
        if (!content.isArray()) {
            throw ApiException.invalid(where + ".content", "must be a string or an array of content parts");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (part.path("type").asText().equals("text") && part.path("text").isTextual()) {
                text.append(part.path("text").textValue());
            }
        }
        return new Message(role, text.toString());
    }

    private static Double bounded(ObjectNode body, String field, int max) {
        BigDecimal value = Fields.decimal(body, field, false);
        if (value == null) {
            return null;
        }
        if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw ApiException.invalid(field, "must be between 0 and " + max + ", got " + value.toPlainString());
        }
        return value.doubleValue();
    }

    private static boolean flag(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw ApiException.invalid(field, "must be true or false");
        }
        return node.booleanValue();
    }

    private static List<String> stop(ObjectNode body) {
        JsonNode node = body.get("stop");
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.textValue());
        }
        if (node.isArray() && node.size() <= 4) {
            List<String> stops = new ArrayList<>();
            for (JsonNode item : node) {
                if (!item.isTextual() || item.textValue().isEmpty()) {
                    throw ApiException.invalid("stop", "must be a string or up to 4 non-empty strings");
                }
                stops.add(item.textValue());
            }
            return List.copyOf(stops);
        }
        throw ApiException.invalid("stop", "must be a string or up to 4 non-empty strings");
    }

    /** The same request with a completion limit, as {@code max_completion_tokens} for o-series models, else {@code max_tokens}. */
    public ChatRequest withMaxTokens(int tokens) {
        ObjectNode copy = body.deepCopy();
        boolean reasoning = model.length() >= 2 && model.charAt(0) == 'o' && Character.isDigit(model.charAt(1));
        copy.put(reasoning ? "max_completion_tokens" : "max_tokens", tokens);
        return new ChatRequest(copy, model, messages, tokens, temperature, topP, stop, stream, includeUsage);
    }

    /**
     * An upper bound on the prompt's tokens: no tokenizer in use makes a token of less than one
     * byte, so the body's UTF-8 length (plus a few tokens of framing per message) is never less
     * than what the provider will count — which keeps a reservation from being too small. Measured
     * on the body written as it goes upstream (numbers as the client wrote them).
     */
    public long promptTokenBound() {
        return Json.bytesAsRead(body).length + 4L * messages.size() + 3;
    }

    /** How many zeros a number's exponent may add to its digits for the cache key to write them out. */
    private static final int PLAIN_DIGITS = 40;

    /** The body without the fields that only shape delivery, keys sorted, numbers in plain digits: what the cache key covers. */
    public ObjectNode canonical() {
        ObjectNode copy = body.deepCopy();
        copy.remove(List.of("stream", "stream_options", "user"));
        return (ObjectNode) sorted(copy);
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            Map<String, JsonNode> fields = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var entry = it.next();
                fields.put(entry.getKey(), sorted(entry.getValue()));
            }
            ObjectNode result = Json.MAPPER.createObjectNode();
            fields.forEach(result::set);
            return result;
        }
        if (node.isArray()) {
            ArrayNode result = Json.MAPPER.createArrayNode();
            node.forEach(item -> result.add(sorted(item)));
            return result;
        }
        if (node.isBigDecimal()) {
            // Keyed by its plain digits, so 1e+16 (Python) and 10000000000000000 (JavaScript) are one
            // request; a far exponent keeps its short form (1E+999999999 is not a billion digits).
            BigDecimal value = node.decimalValue();
            boolean near = -value.scale() <= PLAIN_DIGITS && value.scale() - value.precision() <= PLAIN_DIGITS;
            return Json.MAPPER.getNodeFactory().rawValueNode(new RawValue(near ? value.toPlainString() : value.toString()));
        }
        return node;
    }
}
