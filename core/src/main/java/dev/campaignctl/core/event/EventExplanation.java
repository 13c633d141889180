package dev.campaignctl.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;

/**
 * Why an event (stored, or proposed and never stored) would earn or not: the document the rules
 * saw, the outcome, and every active rule's verdict with the actual value at each condition's path
 * and any budget, cap or window that stops a payment.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventExplanation(
        JsonNode event,
        EventStatus outcome,
        Long matchedRuleId,
        List<RuleSet.Verdict> rules,
        EventStatus storedStatus,
        Long storedMatchedRuleId,
        @JsonInclude(JsonInclude.Include.NON_NULL) Refunds refunds) {

    /**
     * For a stored purchase refunded in part or whole: the amount refunded and the points reversed
     * (the processor paid only the remainder of what was refunded before it decided); for a refund
     * event, the purchase it refers to.
     */
    public record Refunds(BigDecimal refunded, BigDecimal reversedPoints, String refersTo) {
    }
}
