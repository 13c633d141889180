package dev.campaignctl.core.campaign;

import java.time.Instant;

/** A loyalty campaign as stored and as returned on the wire. */
public record Campaign(
        long id,
        String name,
        String description,
        CampaignStatus status,
        Instant startsAt,
        Instant endsAt,
        Instant createdAt,
        Instant updatedAt) {
}
