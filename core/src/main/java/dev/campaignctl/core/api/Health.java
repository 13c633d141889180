package dev.campaignctl.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The domain service's health: {@code healthy} when the database answers and every processor
 * worker of this process runs; {@code degraded} while a worker waits to be restarted.
 *
 * @param processor how this process's event processor stands ({@code running}, {@code restarting
 *                  1 of 2 workers: <last failure>}), or null when it runs none
 */
public record Health(String status, String service, String database, Long pendingEvents, String version,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String processor) {

    public boolean healthy() {
        return "healthy".equals(status);
    }
}
