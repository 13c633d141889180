package dev.campaignctl.core.ai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random chunks, with usage members of every kind in every position and whitespace anywhere: what
 * the client gets is always one JSON object equal to the chunk less its top-level usage (when not
 * asked for) or the chunk itself, and the usage read is the last usage object's.
 */
class StreamChunkFuzzTest {

    private static final String[] WHITESPACE = {"", "", "", " ", "\t", "\n", " \r\n "};

    private final Random random = new Random(20261130);

    private String ws() {
        return WHITESPACE[random.nextInt(WHITESPACE.length)];
    }

    private String value(int depth) {
        return switch (random.nextInt(depth > 2 ? 6 : 8)) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2 -> String.valueOf(random.nextInt(2000) - 1000) + (random.nextBoolean() ? "e" + random.nextInt(30) : "");
            case 3 -> "\"us\\u0061ge \\\"q\\\" \u00e9 " + random.nextInt(100) + "\"";
            case 4 -> "\"\"";
            case 5 -> "1.5";
            case 6 -> "[" + ws() + value(depth + 1) + ws() + "," + ws() + value(depth + 1) + ws() + "]";
            default -> object(depth + 1, false);
        };
    }

    private String object(int depth, boolean top) {
        List<String> members = new ArrayList<>();
        int count = random.nextInt(top ? 6 : 3);
        for (int i = 0; i < count; i++) {
            String name = top && random.nextInt(3) == 0 ? "usage" : random.nextInt(4) == 0 ? "usage" : "k" + random.nextInt(5);
            String value = name.equals("usage") && random.nextBoolean()
                    ? "{\"prompt_tokens\":" + random.nextInt(100) + ",\"completion_tokens\":" + random.nextInt(100) + "}" : value(depth);
            members.add(ws() + "\"" + name + "\"" + ws() + ":" + ws() + value + ws());
        }
        return "{" + String.join(",", members) + (members.isEmpty() ? ws() : "") + "}";
    }

    @Test
    void whatTheClientGetsIsAlwaysTheChunkLessItsUsage() throws IOException {
        for (int i = 0; i < 20_000; i++) {
            String text = ws() + object(0, true) + ws();
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            JsonNode tree = Json.MAPPER.readTree(bytes);
            StreamChunk chunk = StreamChunk.parse(bytes);

            JsonNode without = Json.MAPPER.readTree(chunk.json(false));
            ObjectNode expected = ((ObjectNode) tree).deepCopy();
            expected.remove("usage");
            assertThat(without).as(text).isEqualTo(expected);
            assertThat(Json.MAPPER.readTree(chunk.json(true))).as(text).isEqualTo(tree);
            assertThat(new String(chunk.json(true), StandardCharsets.UTF_8)).as(text).doesNotContain("\n", "\r");

            // The usage counted: the last top-level usage member's, when it is an object.
            JsonNode last = tree.get("usage");
            if (last != null && last.isObject()) {
                assertThat(chunk.usage()).as(text).isEqualTo(new Usage(last.path("prompt_tokens").asLong(-1),
                        last.path("completion_tokens").asLong(-1)));
            }
        }
    }
}
