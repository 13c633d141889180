package dev.campaignctl.core.ai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The cache key: MD5 over the canonical request — prompt, provider, model and every generation
 * parameter — so two requests that differ only in max_tokens or temperature never share an answer
 * (the reference keyed on prompt:provider:model alone).
 */
public final class CacheKey {

    static final String PREFIX = "campaignctl:ai:";

    private CacheKey() {
    }

    /**
     * The key of a chat completion: the canonical request (every field but those that only shape
     * delivery — stream, stream_options, user) with the provider and the model it is routed to.
     */
    public static String chat(String provider, String model, ObjectNode canonicalRequest) {
        ObjectNode canonical = Json.MAPPER.createObjectNode();
        canonical.put("model", model);
        canonical.put("provider", provider);
        canonical.set("request", canonicalRequest);
        // Numbers as the client wrote them: written out in plain digits, 1e999999999 would not fit.
        return PREFIX + "chat:" + md5(Json.writeAsRead(canonical));
    }

    private static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }

    public static String of(String prompt, String provider, String model, int maxTokens, double temperature) {
        ObjectNode canonical = Json.MAPPER.createObjectNode();
        canonical.put("max_tokens", maxTokens);
        canonical.put("model", model);
        canonical.put("prompt", prompt);
        canonical.put("provider", provider);
        canonical.put("temperature", temperature);
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(Json.write(canonical).getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }
}
