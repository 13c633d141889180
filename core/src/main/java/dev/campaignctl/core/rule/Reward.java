package dev.campaignctl.core.rule;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Decimals;
import dev.campaignctl.core.json.Fields;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * What a matched rule pays. Parsed from {@code {"type": "fixed", "value": 100}} or the CLI's
 * {@code fixed:100}.
 */
public record Reward(RewardType type, BigDecimal value) {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    /** Events' amounts are below this (see NewEvent); the reward limits below follow from it. */
    public static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000000000");
    static final int EARNING_DIGITS = 16;
    private static final BigDecimal MAX_FIXED = new BigDecimal("1000000000");
    /** 999999999999.9999 * 100000 / 100 < 10^15. */
    private static final BigDecimal MAX_PERCENTAGE = new BigDecimal("100000");
    /** 999999999999 * 10000 < 10^16. */
    private static final BigDecimal MAX_PER_UNIT = new BigDecimal("10000");

    public Reward {
        if (type == null) {
            throw ApiException.invalid("reward.type", "is required");
        }
        if (value == null) {
            throw ApiException.invalid("reward.value", "is required");
        }
        Decimals.bounded("reward.value", value);
        if (value.signum() < 0) {
            throw ApiException.invalid("reward.value", "must not be negative, got " + value.toPlainString());
        }
        if (value.stripTrailingZeros().scale() > 4) {
            throw ApiException.invalid("reward.value", "must have at most 4 decimals, got " + value.toPlainString());
        }
    }

    /**
     * Refuses, for a rule about to be created, a value whose earning could overflow the earnings
     * column. Not part of the constructor: rules stored before this check existed must still load.
     */
    public Reward checkFitsEarnings() {
        BigDecimal max = maxValue(type);
        if (value.compareTo(max) > 0) {
            throw ApiException.invalid("reward.value", "a " + type.wire() + " reward must be at most " + max.toPlainString()
                    + ": with any allowed amount (below " + MAX_AMOUNT.toPlainString() + ") an earning must fit "
                    + EARNING_DIGITS + " integer digits, got " + value.toPlainString());
        }
        return this;
    }

    /**
     * The largest value of each type whose earning fits the earnings column (NUMERIC(20,4): 16
     * integer digits) for every amount an event may have: a larger one would fail the processor's
     * write, not the rule's creation.
     */
    public static BigDecimal maxValue(RewardType type) {
        return switch (type) {
            case FIXED -> MAX_FIXED;
            case PERCENTAGE -> MAX_PERCENTAGE;
            case PER_UNIT -> MAX_PER_UNIT;
        };
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
            String text = spec.substring(colon + 1).trim();
            if (text.length() > 60) {
                throw new NumberFormatException();
            }
            value = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw ApiException.invalid("reward.value", "must be a number, got \"" + Decimals.prefix(spec.substring(colon + 1)) + "\"");
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
