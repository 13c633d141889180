package dev.campaignctl.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.math.BigDecimal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EventStoreTest {

    private static Database db;
    private static EventStore store;
    private static EventRegistration registration;

    @BeforeAll
    static void setUp() {
        db = TestDatabases.fresh();
        store = new EventStore(db.dataSource());
        registration = new EventRegistration(db.dataSource());
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    private static NewEvent event(String externalId, String amount) {
        return new NewEvent(externalId, "C1", "M1", new BigDecimal(amount), "eur", null, null);
    }

    @Test
    void sameExternalIdTwiceReturnsTheStoredEventAndCreatesNoSecond() {
        Registration first = registration.register(event("ext-1", "10.00"));
        Registration again = registration.register(event("ext-1", "10"));

        assertThat(first.duplicate()).isFalse();
        assertThat(again.duplicate()).isTrue();
        assertThat(again.event().id()).isEqualTo(first.event().id());
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE external_id = 'ext-1'")).isEqualTo(1);
    }

    @Test
    void sameExternalIdWithADifferentPayloadIsAConflict() {
        registration.register(event("ext-2", "10.00"));

        assertThatThrownBy(() -> registration.register(event("ext-2", "11.00")))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).kind()).isEqualTo(ErrorKind.CONFLICT))
                .hasMessageContaining("different payload");
        assertThat(Sql.count(db, "SELECT count(*) FROM events WHERE external_id = 'ext-2'")).isEqualTo(1);
    }

    @Test
    void registrationStoresPendingWithCurrencyUpperCasedAndAmountExact() {
        Event stored = registration.register(event(null, "150.5")).event();

        assertThat(stored.status()).isEqualTo(EventStatus.PENDING);
        assertThat(stored.currency()).isEqualTo("EUR");
        assertThat(stored.amount()).isEqualTo(new BigDecimal("150.50"));
        assertThat(stored.occurredAt()).isNotNull();
    }

    @Test
    void invalidEventsAreRejectedBeforeAnythingIsStored() {
        long before = Sql.count(db, "SELECT count(*) FROM events");
        assertThatThrownBy(() -> event(null, "-1")).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> event(null, "1.123456")).hasMessageContaining("at most 4 decimals");
        assertThatThrownBy(() -> new NewEvent(null, null, null, BigDecimal.ONE, "EURO", null, null))
                .satisfies(e -> assertThat(((ApiException) e).field()).isEqualTo("currency"));
        assertThat(Sql.count(db, "SELECT count(*) FROM events")).isEqualTo(before);
    }

    @Test
    void batchTextSurvivesQuotesBackslashesBracesAndNullLookalikes() {
        String[] keys = {"q\"uote", "back\\slash", "{brace},comma", "NULL", "", "ünï \\\" mix 😀"};
        java.util.List<NewEvent> batch = new java.util.ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            String key = keys[i].isEmpty() ? null : "k-" + keys[i];
            batch.add(EventBatch.parse(("[{\"amount\": 1, \"customer_id\": " + Json.write(keys[i].isEmpty() ? "x" : keys[i])
                    + (key == null ? "" : ", \"external_id\": " + Json.write(key))
                    + ", \"transaction_data\": {\"note\": " + Json.write(keys[i]) + ", \"n\": [1, {\"k\": \"\\\\\"}]}}]")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8), false).get(0).event());
        }
        java.util.List<BatchResult.Item> items = registration.registerAll(batch);

        for (int i = 0; i < keys.length; i++) {
            Event stored = store.get(items.get(i).id());
            assertThat(stored.externalId()).isEqualTo(keys[i].isEmpty() ? null : "k-" + keys[i]);
            assertThat(stored.customerId()).isEqualTo(keys[i].isEmpty() ? "x" : keys[i]);
            assertThat(stored.transactionData().path("note").textValue()).isEqualTo(keys[i]);
            assertThat(stored.transactionData().path("n").path(1).path("k").textValue()).isEqualTo("\\");
        }
    }

    @Test
    void textArrayLiteralsQuoteEveryElementAndEscapeOnlyQuoteAndBackslash() {
        assertThat(dev.campaignctl.core.db.Jdbc.textArray(new String[] {"a", null, "b\"c", "d\\e", ""}))
                .isEqualTo("{\"a\",NULL,\"b\\\"c\",\"d\\\\e\",\"\"}");
        assertThat(dev.campaignctl.core.db.Jdbc.textArray(new String[0])).isEqualTo("{}");
    }

    @Test
    void textFieldsRefuseWhatPostgresTextCannotHold() {
        java.util.List<EventBatch.Entry> entries = EventBatch.parse(("[{\"amount\": 1, \"customer_id\": \"a\\u0000b\"},"
                + " {\"amount\": 1, \"merchant_id\": \"\\udc00\"}, {\"amount\": 1, \"customer_id\": \"\\ud83d\\ude00\"}]")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
        assertThat(entries.get(0).error().field()).isEqualTo("customer_id");
        assertThat(entries.get(1).error().field()).isEqualTo("merchant_id");

        Event stored = store.get(registration.registerAll(java.util.List.of(entries.get(2).event())).get(0).id());
        assertThat(stored.customerId()).isEqualTo("😀");
    }
}
