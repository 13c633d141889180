package dev.campaignctl.core.ai.keys;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A virtual key of the AI gateway as stored: its limits and what it has spent and reserved. The
 * secret itself is never part of it (only its first characters, {@code prefix}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VirtualKey(long id, String name, String prefix, Long budgetTokens, BigDecimal budgetUsd, Integer rpm,
                         List<String> models, Instant expiresAt, Instant revokedAt, Instant createdAt,
                         long spentTokens, BigDecimal spentUsd, long reservedTokens, BigDecimal reservedUsd) {

    /** Whether {@code model} (as asked, or as routed) is one this key may call; no list means any. */
    public boolean allows(String model) {
        return models == null || models.isEmpty() || models.contains(model);
    }

    public boolean usable(Instant now) {
        return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
    }
}
