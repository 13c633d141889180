package dev.campaignctl.core.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.ai.keys.KeySpec;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible API's pure parts: SSE framing, model routing, prices, request checks. */
class GatewayPartsTest {

    @Test
    void sseEventsAreFramedAsTheSpecSays() throws IOException {
        String wire = ": comment\r\nevent: message_start\r\ndata: {\"a\":1}\r\n\r\ndata: line one\ndata: line two\n\n"
                + "data:no space\rdata: after a lone CR\r\rdata: \u00e9t\u00e9 \u2713\n\ndata: [DONE]\n\ndata: unterminated";
        byte[] bytes = wire.getBytes(StandardCharsets.UTF_8);
        // Whole, and a byte per read: a CR LF split between two reads is one line end.
        for (InputStream in : List.of(new ByteArrayInputStream(bytes), trickle(bytes))) {
            SseReader reader = new SseReader(in);
            assertEvent(reader.next(), "message_start", "{\"a\":1}");
            assertEvent(reader.next(), "message", "line one\nline two");
            assertEvent(reader.next(), "message", "no space\nafter a lone CR");
            assertEvent(reader.next(), "message", "\u00e9t\u00e9 \u2713");
            assertThat(reader.next().dataIs("[DONE]".getBytes(StandardCharsets.US_ASCII))).isTrue();
            assertEvent(reader.next(), "message", "unterminated");
            assertThat(reader.next()).isNull();
        }
    }

    @Test
    void anSseLineLongerThanTheBufferIsReadWholeAndTheHookRunsOnlyBeforeWaiting() throws IOException {
        String big = "x".repeat(100_000);
        int[] waits = {0};
        SseReader reader = new SseReader(new ByteArrayInputStream(("data: " + big + "\n\n").getBytes(StandardCharsets.US_ASCII)));
        reader.beforeWaiting(() -> waits[0]++);
        assertEvent(reader.next(), "message", big);
        assertThat(reader.next()).isNull();
        // Once at the start and once before the end: never while the long line was being read (bytes were available).
        assertThat(waits[0]).isLessThanOrEqualTo(2);
    }

    private static void assertEvent(SseReader.Event event, String name, String data) {
        assertThat(event.name()).isEqualTo(name);
        assertThat(event.text()).isEqualTo(data);
    }

    /** An input stream that hands out one byte per read and says nothing is available. */
    private static InputStream trickle(byte[] bytes) {
        return new InputStream() {
            private int next;

            @Override
            public int read() {
                return next < bytes.length ? bytes[next++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (next >= bytes.length) {
                    return -1;
                }
                b[off] = bytes[next++];
                return 1;
            }
        };
    }

    @Test
    void aProvidersChunkIsPassedOnAsItCameLessItsUsageWhenTheClientDidNotAskForIt() throws IOException {
        String middle = "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi \\\"you\\\"\"},\"finish_reason\":null}],"
                + " \"usage\" : null ,\"model\":\"gpt-4o\"}";
        StreamChunk chunk = StreamChunk.parse(middle.getBytes(StandardCharsets.UTF_8));
        assertThat(new String(chunk.json(true), StandardCharsets.UTF_8)).isEqualTo(middle);
        assertThat(Json.tree(new String(chunk.json(false), StandardCharsets.UTF_8)))
                .isEqualTo(Json.tree("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi \\\"you\\\"\"},"
                        + "\"finish_reason\":null}],\"model\":\"gpt-4o\"}"));
        assertThat(chunk.content()).isEqualTo("Hi \"you\"");
        assertThat(chunk.id()).isEqualTo("c");
        assertThat(chunk.model()).isEqualTo("gpt-4o");
        assertThat(chunk.usage()).isNull();
        assertThat(chunk.usageOnly()).isFalse();
        // The member first, last, alone; an object as its value; a line break outside strings.
        assertThat(withoutUsage("{\"usage\":null,\"id\":\"c\"}")).isEqualTo("{\"id\":\"c\"}");
        assertThat(withoutUsage("{\"id\":\"c\",\n\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7}}")).isEqualTo("{\"id\":\"c\"}");
        assertThat(withoutUsage("{ \"usage\": null }")).isEqualTo("{  }");
        assertThat(new String(StreamChunk.parse("{\"id\":\n\"c\"}".getBytes(StandardCharsets.UTF_8)).json(true), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\": \"c\"}");
        StreamChunk last = StreamChunk.parse("{\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12}}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(last.usageOnly()).isTrue();
        assertThat(last.usage()).isEqualTo(new Usage(5, 7));
        StreamChunk finish = StreamChunk.parse("{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"},{\"delta\":{\"content\":\"b\"}}],\"created\":9}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(finish.finishReason()).isEqualTo("stop");
        assertThat(finish.content()).as("the first choice's only").isNull();
        assertThat(finish.created()).isEqualTo(9);
        assertThat(StreamChunk.parse("{\"error\":{\"message\":\"overloaded\"}}".getBytes(StandardCharsets.UTF_8)).error()).isEqualTo("overloaded");
        assertThat(StreamChunk.parse("[1,2]".getBytes(StandardCharsets.UTF_8))).as("not an object: skipped").isNull();
        assertThat(StreamChunk.parse(" ".getBytes(StandardCharsets.UTF_8))).as("no value at all: skipped").isNull();
        for (String broken : List.of("{\"a\":1} {\"b\":2}", "{\"a\":", "{\"a\":\"\u00e9\"}x")) {
            assertThatThrownBy(() -> StreamChunk.parse(broken.getBytes(StandardCharsets.UTF_8))).as(broken).isInstanceOf(IOException.class);
        }
        assertThatThrownBy(() -> StreamChunk.parse(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '(', '"', '}'}))
                .as("invalid UTF-8").isInstanceOf(IOException.class);
    }

    private static String withoutUsage(String json) throws IOException {
        return new String(StreamChunk.parse(json.getBytes(StandardCharsets.UTF_8)).json(false), StandardCharsets.UTF_8);
    }

    @Test
    void aKeyNamesAtLeastOneModelOrNoneAndItsYearsAreCalendarYears() {
        assertThatThrownBy(() -> KeySpec.fromJson(Json.tree("{\"name\": \"k\", \"models\": []}")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("models"));
        assertThat(KeySpec.fromJson(Json.tree("{\"name\": \"k\"}")).models()).isNull();
        assertThat(KeySpec.period("P1Y").toDays()).isBetween(365L, 366L);
        assertThat(KeySpec.period("P1M").toDays()).isBetween(28L, 31L);
        assertThat(KeySpec.period("PT12H").toHours()).isEqualTo(12);
        assertThatThrownBy(() -> KeySpec.period("P999999999Y"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("expires"));
    }

    @Test
    void modelsRouteByAliasPrefixAndExplicitProvider() {
        ModelRouter router = new ModelRouter(ModelRouter.parseAliases("fast=gpt-4o-mini, smart=anthropic/claude-x"), false);
        assertThat(router.route("fast")).isEqualTo(new ModelRouter.Route("openai", "gpt-4o-mini"));
        assertThat(router.route("smart")).isEqualTo(new ModelRouter.Route("anthropic", "claude-x"));
        assertThat(router.route("claude-3-5-haiku-latest").provider()).isEqualTo("anthropic");
        assertThat(router.route("o3-mini").provider()).isEqualTo("openai");
        assertThat(router.route("openai/llama3")).isEqualTo(new ModelRouter.Route("openai", "llama3"));
        assertThatThrownBy(() -> router.route("llama3")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo("model_not_found"));
        assertThat(new ModelRouter(Map.of(), true).route("llama3").provider()).isEqualTo("openai");
        assertThatThrownBy(() -> ModelRouter.parseAliases("nonsense")).isInstanceOf(ApiException.class);
    }

    @Test
    void pricesAreDecimalsMatchedByLongestPrefix() {
        Prices prices = Prices.parse("{\"gpt-4o\": {\"input\": \"2.50\", \"output\": \"10\"}, \"gpt-4o-mini\": {\"input\": \"0.15\", \"output\": \"0.60\"}}");
        assertThat(prices.of("gpt-4o-2024-08-06").orElseThrow().cost(1_000_000, 1_000_000)).isEqualByComparingTo("12.5");
        assertThat(prices.of("gpt-4o-mini-2024-07-18").orElseThrow().cost(1000, 2000)).isEqualByComparingTo(new BigDecimal("0.00135"));
        assertThat(prices.of("claude-3")).isEmpty();
        assertThatThrownBy(() -> Prices.parse("{\"x\": {\"input\": \"-1\", \"output\": \"1\"}}")).isInstanceOf(ApiException.class);
    }

    @Test
    void chatRequestsAreCheckedFieldByField() {
        // Numbers go upstream as the client wrote them: a schema bounded by a double's range passes, and the
        // prompt's bound is measured on that same text (41 digits for 1e40 written out would pass it).
        StringBuilder properties = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            properties.append(i == 0 ? "" : ", ").append("\"p").append(i).append("\": {\"type\": \"number\", \"maximum\": 1e40}");
        }
        ChatRequest wide = ChatRequest.fromJson(Json.tree("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}],"
                + " \"seed\": 1e999999999, \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\":"
                + " {\"type\": \"object\", \"maximum\": 1.7976931348623157E+308, \"minimum\": 4.9E-324, \"properties\": {" + properties + "}}}}]}"));
        assertThat(wide.promptTokenBound()).isGreaterThan(1000 * "\"p0\":{\"type\":\"number\",\"maximum\":1E+40}".length());
        assertThat(CacheKey.chat("openai", "m", wide.canonical())).startsWith(CacheKey.PREFIX);
        assertField("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}", "model");
        assertField("{\"model\": \"m\", \"messages\": []}", "messages");
        assertField("{\"model\": \"m\", \"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}", "messages[0].role");
        assertField("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 0}", "max_tokens");
        assertField("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stream\": \"yes\"}", "stream");
        assertField("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"n\": 2}", "n");
        ChatRequest request = ChatRequest.fromJson(Json.tree("{\"model\": \"m\", \"stream\": true, \"stream_options\": {\"include_usage\": true},"
                + " \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"héllo\"}]}]}"));
        assertThat(request.messages().get(0).text()).isEqualTo("héllo");
        assertThat(request.includeUsage()).isTrue();
        // An upper bound: never fewer tokens than bytes in the body.
        assertThat(request.promptTokenBound()).isGreaterThan(request.body().toString().length());
        assertThat(request.canonical().has("stream")).isFalse();
    }

    @Test
    void aProvidersErrorMessageIsRelayedShort() {
        String huge = "A".repeat(20_000_000);
        String message = ProviderHttp.errorMessage(Json.MAPPER.createObjectNode().set("error",
                Json.MAPPER.createObjectNode().put("message", huge)));
        assertThat(message).hasSizeLessThan(600).startsWith("AAAA").endsWith("(20000000 characters)");
        assertThat(ProviderHttp.errorMessage(Json.tree("{\"error\": {\"message\": \"model not found\"}}"))).isEqualTo("model not found");
    }

    /** A provider may honour either limit: a reservation covers the larger, and each is checked. */
    @Test
    void bothCompletionLimitsAreCheckedAndTheLargerIsReserved() {
        String messages = "\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]";
        assertThat(ChatRequest.fromJson(Json.tree("{" + messages + ", \"max_completion_tokens\": 1, \"max_tokens\": 5000}"))
                .maxTokens()).isEqualTo(5000);
        assertThat(ChatRequest.fromJson(Json.tree("{" + messages + ", \"max_completion_tokens\": 700, \"max_tokens\": 5}"))
                .maxTokens()).isEqualTo(700);
        assertField("{" + messages + ", \"max_completion_tokens\": 1, \"max_tokens\": 99999999}", "max_tokens");
        assertField("{" + messages + ", \"max_completion_tokens\": -1, \"max_tokens\": 5}", "max_completion_tokens");
    }

    private static void assertField(String json, String field) {
        assertThatThrownBy(() -> ChatRequest.fromJson(Json.tree(json))).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.field()).isEqualTo(field));
    }

    /** Equal numbers written differently are one cached request, as before numbers were written as read. */
    @Test
    void theCacheKeyReadsNumbersByTheirDigits() {
        java.util.function.Function<String, String> key = number -> CacheKey.chat("openai", "gpt-4o", ChatRequest.fromJson(Json.tree(
                "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\","
                        + "\"function\":{\"name\":\"f\",\"parameters\":{\"properties\":{\"n\":{\"maximum\":" + number + "}}}}}]}")).canonical());
        assertThat(key.apply("1e+16")).isEqualTo(key.apply("10000000000000000"));
        assertThat(key.apply("1e2")).isEqualTo(key.apply("100"));
        assertThat(key.apply("1e-7")).isEqualTo(key.apply("0.0000001"));
        assertThat(key.apply("1e2")).isNotEqualTo(key.apply("101"));
        assertThat(key.apply("\"100\"")).as("a string is not the number").isNotEqualTo(key.apply("100"));
        assertThat(key.apply("1e999999999")).isNotEqualTo(key.apply("1e999999998"));
    }
}
