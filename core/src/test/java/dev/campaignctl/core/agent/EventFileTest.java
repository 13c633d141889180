package dev.campaignctl.core.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
    void aKeylessRecordsKeyComesFromTheFilesNameItsPositionAndItsContentWhateverTheKeyOrderOrLayout() throws Exception {
        EventFile compact = EventFile.parse(
                "[{\"amount\": 5, \"customer_id\": \"C\", \"transaction_data\": {\"a\": 1, \"b\": [2.50]}}]"
                        .getBytes(StandardCharsets.UTF_8), "events.json");
        EventFile spread = EventFile.parse(
                "[\n  {\"customer_id\": \"C\",\n   \"transaction_data\": {\"b\": [2.5], \"a\": 1},\n   \"amount\": 5.0}\n]"
                        .getBytes(StandardCharsets.UTF_8), "events.json");
        String key = compact.records().get(0).event().externalId();
        assertThat(key).startsWith("sha256:").hasSize(47).isEqualTo(spread.records().get(0).event().externalId());
        assertThat(key).isEqualTo(EventFile.derivedKey("name:events.json", 0, Json.MAPPER.readTree(
                "{\"amount\": 5, \"customer_id\": \"C\", \"transaction_data\": {\"a\": 1, \"b\": [2.50]}}")));
        assertThat(spread.records().get(0).line()).isEqualTo(2);
    }

    @Test
    void twoIdenticalRecordsGetTwoKeysAndTheSameFileReadAgainGetsTheSameOnes() {
        String text = "{\"amount\": 5, \"customer_id\": \"C\"}\n{\"amount\": 5, \"customer_id\": \"C\"}\n";
        EventFile once = parse(text);
        EventFile again = parse(text);
        assertThat(keys(once)).doesNotHaveDuplicates().hasSize(2).isEqualTo(keys(again));
    }

    @Test
    void anotherFileWithTheSameRecordsGetsOtherKeys() {
        String text = "{\"amount\": 5, \"customer_id\": \"C\"}\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertThat(keys(EventFile.parse(bytes, "monday.ndjson"))).doesNotContainAnyElementsOf(keys(EventFile.parse(bytes, "tuesday.ndjson")));
        assertThat(keys(parse(text))).as("without a name, the content is the file's identity")
                .doesNotContainAnyElementsOf(keys(parse(text + "{\"amount\": 6}\n")));
    }

    @Test
    void fixingAnInvalidRecordInPlaceKeepsTheOtherRecordsKeys() {
        byte[] broken = "{\"amount\": 1}\n{\"amount\": }\n{\"customer_id\": \"C\"}\n{\"amount\": 4}\n".getBytes(StandardCharsets.UTF_8);
        byte[] fixed = "{\"amount\": 1}\n{\"amount\": 2}\n{\"amount\": 3}\n{\"amount\": 4}\n".getBytes(StandardCharsets.UTF_8);
        List<String> before = keys(EventFile.parse(broken, "export.ndjson"));
        List<String> after = keys(EventFile.parse(fixed, "export.ndjson"));
        assertThat(before).hasSize(2);
        assertThat(after).hasSize(4).containsAll(before);
    }

    @Test
    void aRecordWithItsOwnExternalIdKeepsIt() {
        assertThat(keys(parse("{\"external_id\": \"mine\", \"amount\": 1}\n"))).containsExactly("mine");
    }

    private static List<String> keys(EventFile file) {
        return file.records().stream().map(record -> record.event().externalId()).toList();
    }

    @Test
    void aBrokenArrayNamesTheLine() {
        assertThatThrownBy(() -> parse("[\n{\"amount\": 1},\n{\"amount\": }\n]"))
                .isInstanceOf(ApiException.class).hasMessageStartingWith("line 3: invalid JSON");
        assertThatThrownBy(() -> parse("[{\"amount\": 1}"))
                .isInstanceOf(ApiException.class).hasMessageContaining("expected close marker for Array");
    }
}
