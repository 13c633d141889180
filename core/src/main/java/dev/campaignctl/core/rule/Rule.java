package dev.campaignctl.core.rule;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** A stored rule of a campaign: when {@code conditions} match an event, {@code reward} is paid. */
public record Rule(
        long id,
        long campaignId,
        String name,
        int priority,
        JsonNode conditions,
        Reward reward,
        Instant createdAt) {
}
