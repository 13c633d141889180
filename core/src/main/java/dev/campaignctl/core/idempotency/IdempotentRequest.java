package dev.campaignctl.core.idempotency;

import dev.campaignctl.core.json.CanonicalJson;

/**
 * A create request under an Idempotency-Key: the key, what the request does (for instance
 * {@code "add rule to campaign 7"}) and a fingerprint of what it asks. Requests are compared by
 * their parsed, canonical form, so layout, key order and {@code 150} versus {@code 150.00} do not
 * make two requests different; another operation (another endpoint, another campaign) does.
 */
public record IdempotentRequest(IdempotencyKey key, String operation, String fingerprint) {

    /** The request for {@code body}, a parsed request object; null when there is no key. */
    public static IdempotentRequest of(IdempotencyKey key, String operation, Object body) {
        if (key == null) {
            return null;
        }
        return new IdempotentRequest(key, operation, CanonicalJson.sha256Hex(operation + "\n" + CanonicalJson.write(body)));
    }
}
