package dev.campaignctl.core.rule;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.json.Fields;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * What a matched rule pays. Parsed from {@code {"type": "fixed", "value": 100}} or the CLI's
 * {@code fixed:100}.
 */
public record Reward(RewardType type, BigDecimal value) {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    private static final BigDecimal MAX_VALUE = new BigDecimal("1000000000");

    public Reward {
        if (type == null) {
            throw ApiException.invalid("reward.type", "is required");
        }
        if (value == null) {
            throw ApiException.invalid("reward.value", "is required");
        }
        if (value.signum() < 0) {
            throw ApiException.invalid("reward.value", "must not be negative, got " + value.toPlainString());
        }
        if (value.compareTo(MAX_VALUE) > 0 || value.scale() > 4) {
            throw ApiException.invalid("reward.value", "must be at most 1000000000 with at most 4 decimals");
        }
    }

    public static Reward fromJson(JsonNode reward) {
        if (reward == null || reward.isNull()) {
            throw ApiException.invalid("reward", "is required");
        }
        if (!reward.isObject()) {
            throw ApiException.invalid("reward", "must be an object like {\"type\": \"fixed\", \"value\": 100}");
        }
        String type = Fields.text(reward, "type", false, 20);
        if (type == null) {
            throw ApiException.invalid("reward.type", "is required");
        }
        BigDecimal value;
        try {
            value = Fields.decimal(reward, "value", true);
        } catch (ApiException e) {
            throw ApiException.invalid("reward.value", e.getMessage());
        }
        return new Reward(RewardType.parse("reward.type", type), value);
    }

    /** Parses the CLI form {@code type:value}, e.g. {@code fixed:100} or {@code percentage:5}. */
    public static Reward parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon < 0) {
            throw ApiException.invalid("reward", "must be TYPE:VALUE like fixed:100, got \"" + spec + "\"");
        }
        BigDecimal value;
        try {
            value = new BigDecimal(spec.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
            throw ApiException.invalid("reward.value", "must be a number, got \"" + spec.substring(colon + 1) + "\"");
        }
        return new Reward(RewardType.parse("reward.type", spec.substring(0, colon).trim()), value);
    }

    /** The points this reward pays for an event of the given amount. */
    public BigDecimal pointsFor(BigDecimal amount) {
        return switch (type) {
            case FIXED -> value;
            case PERCENTAGE -> amount.multiply(value).divide(HUNDRED, 2, RoundingMode.HALF_UP);
            case PER_UNIT -> amount.setScale(0, RoundingMode.DOWN).multiply(value);
        };
    }
}
