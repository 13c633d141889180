package dev.campaignctl.core.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.json.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventFileTest {

    private static EventFile parse(String text) {
        return EventFile.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void ndjsonRecordsKeepTheirLinesAndBadLinesSayWhere() {
        EventFile file = parse("{\"external_id\": \"a\", \"amount\": 1, \"transaction_data\": {\"x\": [1]}}\r\n"
                + "\r\n"
                + "{\"amount\": 2}\n"
                + "{\"customer_id\": \"C\"}\n"
                + "{\"amount\": \n");
        assertThat(file.records()).extracting(EventFile.Record::line).containsExactly(1, 3);
        assertThat(file.records().get(0).event().transactionDataJson()).isEqualTo("{\"x\": [1]}");
        assertThat(file.invalid()).extracting(Object::toString)
                .containsExactly("line 4: amount: is required", "line 5: invalid JSON: " + file.invalid().get(1).message().substring(14));
        assertThat(file.invalid().get(1).message()).startsWith("invalid JSON: ");
    }

    @Test
    void aKeylessRecordGetsAKeyFromItsContentWhateverTheKeyOrderOrLayout() throws Exception {
        EventFile compact = parse("[{\"amount\": 5, \"customer_id\": \"C\", \"transaction_data\": {\"a\": 1, \"b\": [2.50]}}]");
        EventFile spread = parse("[\n  {\"customer_id\": \"C\",\n   \"transaction_data\": {\"b\": [2.5], \"a\": 1},\n   \"amount\": 5.0}\n]");
        String key = compact.records().get(0).event().externalId();
        assertThat(key).startsWith("sha256:").isEqualTo(spread.records().get(0).event().externalId());
        assertThat(key).isEqualTo(EventFile.derivedKey(Json.MAPPER.readTree(
                "{\"amount\": 5, \"customer_id\": \"C\", \"transaction_data\": {\"a\": 1, \"b\": [2.50]}}")));
        assertThat(spread.records().get(0).line()).isEqualTo(2);
    }

    @Test
    void aBrokenArrayNamesTheLine() {
        assertThatThrownBy(() -> parse("[\n{\"amount\": 1},\n{\"amount\": }\n]"))
                .isInstanceOf(ApiException.class).hasMessageStartingWith("line 3: invalid JSON");
        assertThatThrownBy(() -> parse("[{\"amount\": 1}"))
                .isInstanceOf(ApiException.class).hasMessageContaining("expected close marker for Array");
    }
}
