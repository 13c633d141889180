package dev.campaignctl.core.idempotency;

import dev.campaignctl.core.error.ApiException;
import java.util.UUID;

/**
 * A client's {@code Idempotency-Key}: 1 to 255 printable ASCII characters, checked on construction
 * (a 400 naming the header). The same key with the same request is answered as the first time;
 * with another request it is a conflict.
 *
 * <pre>{@code
 * IdempotencyKey key = IdempotencyKey.random();   // once per logical request, reused by its retries
 * domain.registerEvent(event, key);
 * }</pre>
 */
public record IdempotencyKey(String value) {

    /** The request header that carries a key. */
    public static final String HEADER = "Idempotency-Key";
    /** The response header set on an answer replayed from an earlier request with the same key. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    public static final int MAX_LENGTH = 255;

    public IdempotencyKey {
        if (value == null || value.isBlank()) {
            throw ApiException.invalid(HEADER, "must not be empty");
        }
        if (value.length() > MAX_LENGTH) {
            throw ApiException.invalid(HEADER, "must be at most " + MAX_LENGTH + " characters, got " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw ApiException.invalid(HEADER, "must be printable ASCII; character " + (i + 1) + " is not");
            }
        }
    }

    /** A new random key (a UUID), for a client that makes one request and may have to retry it. */
    public static IdempotencyKey random() {
        return new IdempotencyKey(UUID.randomUUID().toString());
    }
}
