package dev.campaignctl.core.ai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * USD per million tokens, per model, from {@code AI_PRICES}: a JSON file's path, or the JSON itself,
 * <pre>{@code {"gpt-4o": {"input": "2.50", "output": "10.00"}, "claude-3-5-sonnet": {"input": "3", "output": "15"}}}</pre>
 * A model takes the entry of its own name, else of the longest name it starts with (so
 * {@code gpt-4o} prices {@code gpt-4o-2024-08-06}). Amounts are decimals, never floating point.
 */
public final class Prices {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    /** USD per million input and output tokens. */
    public record Price(BigDecimal input, BigDecimal output) {
        public BigDecimal cost(long inputTokens, long outputTokens) {
            return input.multiply(BigDecimal.valueOf(inputTokens)).add(output.multiply(BigDecimal.valueOf(outputTokens)))
                    .divide(MILLION, MathContext.DECIMAL128).setScale(12, RoundingMode.UP).stripTrailingZeros();
        }
    }

    public static final Prices NONE = new Prices(Map.of());

    private final Map<String, Price> byModel;

    public Prices(Map<String, Price> byModel) {
        this.byModel = Map.copyOf(byModel);
    }

    /** @param setting the value of {@code AI_PRICES}: null, a file path, or inline JSON */
    public static Prices parse(String setting) {
        if (setting == null || setting.isBlank()) {
            return NONE;
        }
        String json;
        try {
            json = setting.trim().startsWith("{") ? setting : Files.readString(Path.of(setting.trim()));
        } catch (IOException e) {
            throw ApiException.invalid("AI_PRICES", "cannot read " + setting.trim() + ": " + e.getClass().getSimpleName());
        }
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw ApiException.invalid("AI_PRICES", "is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!tree.isObject()) {
            throw ApiException.invalid("AI_PRICES", "must be a JSON object of model: {input, output}");
        }
        Map<String, Price> prices = new LinkedHashMap<>();
        tree.fields().forEachRemaining(entry -> prices.put(entry.getKey(), new Price(
                amount(entry.getKey(), entry.getValue(), "input"), amount(entry.getKey(), entry.getValue(), "output"))));
        return new Prices(prices);
    }

    private static BigDecimal amount(String model, JsonNode entry, String side) {
        JsonNode value = entry.path(side);
        try {
            BigDecimal amount = new BigDecimal(value.asText(""));
            if (amount.signum() < 0 || amount.precision() > 30) {
                throw new NumberFormatException();
            }
            return amount;
        } catch (NumberFormatException e) {
            throw ApiException.invalid("AI_PRICES", model + "." + side + " must be a non-negative decimal (USD per million tokens)");
        }
    }

    public Optional<Price> of(String model) {
        Price exact = byModel.get(model);
        if (exact != null || byModel.isEmpty()) {
            return Optional.ofNullable(exact);
        }
        return byModel.entrySet().stream().filter(e -> model.startsWith(e.getKey()))
                .max(Comparator.comparingInt(e -> e.getKey().length())).map(Map.Entry::getValue);
    }

    public boolean isEmpty() {
        return byModel.isEmpty();
    }
}
