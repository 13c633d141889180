package dev.campaignctl.core.api;

/** The domain service's health: {@code healthy} when the database answers. */
public record Health(String status, String service, String database, Long pendingEvents, String version) {
}
