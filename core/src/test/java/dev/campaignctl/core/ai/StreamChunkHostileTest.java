package dev.campaignctl.core.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A provider's chunk as the client gets it must be one JSON object in UTF-8, without usage unless asked. */
class StreamChunkHostileTest {

    private static final String CHUNK = "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":1}}";

    /** The bytes the client gets without usage: strict UTF-8 JSON (no BOM), an object without a usage member. */
    private static void assertCleanWithoutUsage(byte[] fromProvider) throws IOException {
        StreamChunk chunk;
        try {
            chunk = StreamChunk.parse(fromProvider);
        } catch (IOException refused) {
            return; // refused (a 502 mid-stream), as the previous build did: acceptable
        }
        byte[] out = chunk.json(false);
        assertThat(out.length).as("no BOM").isGreaterThan(0);
        assertThat(out[0]).as("starts with '{', not a BOM or a NUL").isEqualTo((byte) '{');
        String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(out)).toString();
        JsonNode tree = Json.MAPPER.readTree(text);
        assertThat(tree.isObject()).isTrue();
        assertThat(tree.has("usage")).as("usage removed: " + text).isFalse();
    }

    @Test
    void aUsageMemberWhoseValueIsAStringIsCutWhole() throws IOException {
        for (String json : List.of("{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":\"abc\"}",
                "{\"usage\":\"abc\",\"choices\":[]}", "{\"choices\":[],\"usage\":\"\"}", "{\"usage\"\t:\t\"x\" , \"id\":1}")) {
            assertCleanWithoutUsage(json.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aChunkWithAByteOrderMarkIsRefusedOrSentWithoutIt() throws IOException {
        assertCleanWithoutUsage(("\uFEFF" + CHUNK).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aChunkInUtf16OrUtf32IsRefused() {
        for (Charset charset : List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE, Charset.forName("UTF-32BE"))) {
            assertThatThrownBy(() -> StreamChunk.parse(CHUNK.getBytes(charset))).as(charset.name()).isInstanceOf(IOException.class);
        }
    }

    @Test
    void everyUsageMemberIsCutWhenTheChunkRepeatsIt() throws IOException {
        assertCleanWithoutUsage("{\"usage\":{\"prompt_tokens\":1},\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":null}"
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void repeatedUsageMembersAreCutInEveryOrder() throws IOException {
        for (String[] pair : new String[][] {
                {"{\"usage\":1,\"usage\":2,\"a\":3,\"usage\":4}", "{\"a\":3}"},
                {"{\"a\":3,\"usage\":1,\"usage\":2}", "{\"a\":3}"},
                {"{\"usage\":1 , \"usage\":2}", "{ }"},
                {"{ \"usage\" : 1 ,\"a\":[1,2], \"usage\":{\"prompt_tokens\":1} ,\"b\":\"usage\"}", "{ \"a\":[1,2] ,\"b\":\"usage\"}"}}) {
            assertThat(new String(StreamChunk.parse(pair[0].getBytes(StandardCharsets.UTF_8)).json(false), StandardCharsets.UTF_8))
                    .as(pair[0]).isEqualTo(pair[1]);
        }
    }

    /**
     * A chunk repeating its usage member 100,000 times (1.1 MB; an event may hold 4 MiB) is cut in one
     * pass: cutting member by member copied the chunk each time, minutes of CPU for one chunk.
     */
    @Test
    void aChunkRepeatingItsUsageManyTimesIsCutInOnePass() {
        StringBuilder json = new StringBuilder("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]");
        for (int i = 0; i < 100_000; i++) {
            json.append(",\"usage\":0");
        }
        byte[] in = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
        byte[] out = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> StreamChunk.parse(in).json(false));
        assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}");
    }
}
