package dev.campaignctl.core.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.json.Json;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class IdempotencyKeyTest {

    @Test
    void aKeyIsOneTo255PrintableAsciiCharacters() {
        assertThat(new IdempotencyKey("a").value()).isEqualTo("a");
        assertThat(new IdempotencyKey("x".repeat(255)).value()).hasSize(255);
        assertThat(new IdempotencyKey("order 42: retry ~!@#").value()).isEqualTo("order 42: retry ~!@#");
        assertThat(IdempotencyKey.random().value()).matches("[0-9a-f-]{36}");
    }

    @Test
    void anEmptyLongOrNonPrintableKeyIsRefusedNamingTheHeader() {
        assertInvalid("", "must not be empty");
        assertInvalid("   ", "must not be empty");
        assertInvalid("x".repeat(256), "must be at most 255 characters, got 256");
        assertInvalid("ab\tc", "must be printable ASCII; character 3 is not");
        assertInvalid("clé", "must be printable ASCII; character 3 is not");
        assertInvalid("a\u007f", "must be printable ASCII; character 2 is not");
    }

    private static void assertInvalid(String key, String message) {
        assertThatThrownBy(() -> new IdempotencyKey(key)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.VALIDATION);
            assertThat(e.field()).isEqualTo("Idempotency-Key");
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void requestsAreComparedByTheirParsedFormNotTheirBytes() throws Exception {
        IdempotencyKey key = new IdempotencyKey("k");
        NewEvent compact = NewEvent.fromJson(Json.MAPPER.readTree(
                "{\"amount\": 150, \"currency\": \"eur\", \"transaction_data\": {\"a\": 1, \"b\": [2.50]}}"));
        NewEvent spread = NewEvent.fromJson(Json.MAPPER.readTree(
                "{\"transaction_data\": {\"b\": [2.5], \"a\": 1.0},\n \"currency\": \"EUR\", \"amount\": 150.00}"));
        NewEvent other = new NewEvent(null, null, null, new BigDecimal("151"), "EUR", null,
                (ObjectNode) Json.MAPPER.readTree("{\"a\": 1, \"b\": [2.5]}"));

        String fingerprint = IdempotentRequest.of(key, "register event", compact).fingerprint();

        assertThat(IdempotentRequest.of(key, "register event", spread).fingerprint()).isEqualTo(fingerprint);
        assertThat(IdempotentRequest.of(key, "register event", other).fingerprint()).isNotEqualTo(fingerprint);
        assertThat(IdempotentRequest.of(key, "create campaign", compact).fingerprint()).isNotEqualTo(fingerprint);
        assertThat(IdempotentRequest.of(null, "register event", compact)).isNull();
    }
}
