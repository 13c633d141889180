package dev.campaignctl.core.event;

/** The answer to registering an event: the stored event, and whether it already existed (same external_id). */
public record Registration(Event event, boolean duplicate) {
}
