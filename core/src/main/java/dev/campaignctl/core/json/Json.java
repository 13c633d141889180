package dev.campaignctl.core.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON configuration of the project: snake_case names, ISO-8601 timestamps, exact decimals.
 */
public final class Json {

    /** Shared, thread-safe mapper; never reconfigure it after start-up. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    /**
     * Writes decimals as {@link java.math.BigDecimal#toString()} does ({@code 1E+40}, not 41 digits):
     * for JSON a client wrote and we pass on (a chat request to its provider, its cache key), whose
     * numbers are the client's to choose; {@code 1e999999999} stays 12 characters instead of failing.
     */
    public static final ObjectWriter AS_READ = MAPPER.writer().without(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN);

    private Json() {
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String pretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code value} written by {@link #AS_READ}: decimals as they were read, never expanded to plain digits. */
    public static byte[] bytesAsRead(Object value) {
        try {
            return AS_READ.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code value} as text written by {@link #AS_READ}. */
    public static String writeAsRead(Object value) {
        try {
            return AS_READ.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses trusted JSON (from our own database); malformed input is a bug, not user error. */
    public static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Built on first use: most commands never read or write YAML, and SnakeYAML is slow to start. */
    private static final class Yaml {
        static final YAMLMapper MAPPER = new YAMLMapper();
        /** Numbers as they are written: 0.1 stays 0.1, and 1e-999999999 reaches the checks rather than becoming 0. */
        static final ObjectReader TREES = MAPPER.reader()
                .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .with(JsonNodeFactory.withExactBigDecimals(true));
    }

    /**
     * Reads YAML or JSON (YAML is a superset) into a tree with exact decimals, as this mapper
     * reads JSON, for bodies and specs that users write in either.
     */
    public static JsonNode treeFromYaml(byte[] content) throws IOException {
        return Yaml.TREES.readTree(content);
    }

    /** Writes a tree as YAML, for {@code -o yaml}. */
    public static String yaml(JsonNode tree) {
        try {
            return Yaml.MAPPER.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T convert(JsonNode node, Class<T> type) {
        return MAPPER.convertValue(node, type);
    }
}
