package dev.campaignctl.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The batch reader keeps transaction data as the request's text; that text must be exactly the object. */
class EventBatchTest {

    private static List<EventBatch.Entry> parse(String body, boolean ndjson) {
        return EventBatch.parse(body.getBytes(StandardCharsets.UTF_8), ndjson);
    }

    @Test
    void transactionDataIsTheObjectsOwnTextWhateverSurroundsIt() {
        List<EventBatch.Entry> entries = parse("""
                [ {"amount": 1, "transaction_data": {"items": [{"sku": "a}b", "n": 2}], "note": "ünïcødé \\"q\\""}, "currency": "eur"},
                  {"transaction_data" : { } , "amount": "2.50"},
                  {"amount": 3} ]""", false);
        assertThat(entries).hasSize(3).allSatisfy(e -> assertThat(e.error()).isNull());
        NewEvent first = entries.get(0).event();
        assertThat(first.transactionDataJson()).isEqualTo("{\"items\": [{\"sku\": \"a}b\", \"n\": 2}], \"note\": \"ünïcødé \\\"q\\\"\"}");
        assertThat(first.transactionData().path("note").textValue()).isEqualTo("ünïcødé \"q\"");
        assertThat(first.currency()).isEqualTo("EUR");
        assertThat(entries.get(1).event().transactionDataJson()).isEqualTo("{ }");
        assertThat(entries.get(1).event().amount()).isEqualByComparingTo(new BigDecimal("2.5"));
        assertThat(entries.get(2).event().transactionDataJson()).isEqualTo("{}");
    }

    @Test
    void ndjsonLinesPastTheFirstSliceTheirOwnText() {
        List<EventBatch.Entry> entries = parse("{\"amount\": 1, \"transaction_data\": {\"a\": 1}}\r\n"
                + "\n"
                + "  {\"amount\": 2, \"transaction_data\": {\"ü\": [1, 2]}}\n"
                + "{\"amount\": -1}\n"
                + "{\"amount\": 4, \"transaction_data\": {\"b\": \n", true);
        assertThat(entries).hasSize(4);
        assertThat(entries.get(0).event().transactionDataJson()).isEqualTo("{\"a\": 1}");
        assertThat(entries.get(1).line()).isEqualTo(3);
        assertThat(entries.get(1).event().transactionDataJson()).isEqualTo("{\"ü\": [1, 2]}");
        assertThat(entries.get(2).error().field()).isEqualTo("amount");
        assertThat(entries.get(3).line()).isEqualTo(5);
        assertThat(entries.get(3).error().message()).startsWith("line 5: malformed JSON");
    }

    @Test
    void wrongShapesAreRejectedPerItemWithTheField() {
        List<EventBatch.Entry> entries = parse("[5, {\"amount\": 1, \"transaction_data\": \"x\"},"
                + " {\"amount\": 1, \"transaction_data\": {\"a\": 1}, \"transaction_data\": null}]", false);
        assertThat(entries.get(0).error().message()).contains("must be a JSON object");
        assertThat(entries.get(1).error().field()).isEqualTo("transaction_data");
        // A repeated key counts as its last value, as in a JSON tree (the json column keeps the text).
        assertThat(entries.get(2).event().transactionDataJson()).isEqualTo("{}");
    }

    @Test
    void aBrokenArrayRejectsTheWholeRequest() {
        assertThatThrownBy(() -> parse("[{\"amount\": 1}, {\"amount\": ", false))
                .isInstanceOf(ApiException.class).hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> parse("{\"amount\": 1}", false))
                .isInstanceOf(ApiException.class).hasMessageContaining("must be a JSON array");
    }

    @Test
    void aBatchEventEqualsTheSameEventBuiltFromATree() throws Exception {
        NewEvent parsed = parse("[{\"amount\": 1, \"customer_id\": \"C\", \"transaction_data\": {\"a\": [1, {\"b\": true}]}}]", false)
                .get(0).event();
        NewEvent built = NewEvent.fromJson(Json.MAPPER.readTree("{\"amount\": 1, \"customer_id\": \"C\", \"transaction_data\": {\"a\": [1, {\"b\": true}]}}"));
        assertThat(parsed).isEqualTo(built).hasSameHashCodeAs(built);
        assertThat(Json.MAPPER.readTree(Json.write(parsed))).isEqualTo(Json.MAPPER.readTree(Json.write(built)));
        assertThat(Json.MAPPER.readTree(Json.write(parsed)).has("transaction_data_json")).isFalse();
    }

    @Test
    void escapesStayAsTheClientWroteThemUnlessPostgresCouldNotReadThemBack() {
        List<EventBatch.Entry> entries = parse("[{\"amount\": 1, \"transaction_data\": {\"a\": \"\\u00e9 \\ud83d\\ude00 \\\\u0000 \\\\\\\"\"}},"
                + " {\"amount\": 2, \"transaction_data\": {\"nul\": \"x\\u0000y\"}},"
                + " {\"amount\": 3, \"transaction_data\": {\"lone\": \"\\ud800!\"}},"
                + " {\"amount\": 5, \"transaction_data\": {\"end\": \"\\ud83d\"}}]", false);
        NewEvent event = entries.get(0).event();
        assertThat(event.transactionDataJson()).isEqualTo("{\"a\": \"\\u00e9 \\ud83d\\ude00 \\\\u0000 \\\\\\\"\"}");
        assertThat(event.transactionData().path("a").textValue()).isEqualTo("é 😀 \\u0000 \\\"");
        for (int i = 1; i < 4; i++) {
            assertThat(entries.get(i).event()).as("entry %d", i).isNull();
            assertThat(entries.get(i).error().field()).isEqualTo("transaction_data");
            assertThat(entries.get(i).error().message()).contains("NUL").contains("unpaired surrogate");
        }
    }

    @Test
    void eventsBuiltFromATreeAreHeldToTheSameRule() {
        com.fasterxml.jackson.databind.node.ObjectNode data = Json.MAPPER.createObjectNode();
        data.putObject("nested").putArray("list").add("ok").add("bad \u0000");
        assertThatThrownBy(() -> new NewEvent(null, null, null, BigDecimal.ONE, null, null, data))
                .isInstanceOf(ApiException.class).hasMessageContaining("NUL");
        com.fasterxml.jackson.databind.node.ObjectNode fine = Json.MAPPER.createObjectNode().put("smile", "😀");
        assertThat(new NewEvent(null, null, null, BigDecimal.ONE, null, null, fine).transactionDataJson()).contains("😀");
    }

    @Test
    void aBodyInAnotherUnicodeEncodingIsRefusedAsAWhole() {
        byte[] utf16 = "[{\"amount\": 1, \"transaction_data\": {\"a\": 1}}]".getBytes(StandardCharsets.UTF_16BE);
        assertThatThrownBy(() -> EventBatch.parse(utf16, false)).isInstanceOf(ApiException.class).hasMessageContaining("UTF-8");
    }
}
