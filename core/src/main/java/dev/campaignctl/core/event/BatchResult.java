package dev.campaignctl.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.campaignctl.core.error.ErrorBody;
import java.util.List;

/**
 * The answer to a batch registration: counts, and one result per item in input order
 * ({@code created}, {@code duplicate}, {@code conflict} or {@code rejected} with the error).
 */
public record BatchResult(int received, int created, int duplicates, int rejected, List<Item> results) {

    /** One item's fate; {@code line} is set for NDJSON input. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Item(int index, Integer line, Long id, String externalId, String status, ErrorBody error) {
    }

    public static BatchResult of(List<Item> items) {
        int created = 0;
        int duplicates = 0;
        for (Item item : items) {
            if (item.status().equals("created")) {
                created++;
            } else if (item.status().equals("duplicate")) {
                duplicates++;
            }
        }
        return new BatchResult(items.size(), created, duplicates, items.size() - created - duplicates, items);
    }
}
