package dev.campaignctl.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.event.Event;
import dev.campaignctl.core.event.NewEvent;
import dev.campaignctl.core.idempotency.Created;
import dev.campaignctl.core.idempotency.IdempotencyKey;
import dev.campaignctl.core.idempotency.Outcome;
import dev.campaignctl.core.testing.ScriptedHttpServer;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The HTTP client's side of Idempotency-Key: the header goes out, a lost answer is asked for again under it. */
class HttpDomainApiKeysTest {

    private static final String EVENT = "{\"id\":7,\"amount\":5.00,\"status\":\"pending\",\"duplicate\":false}";
    private static final String CREATED = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nIdempotent-Replayed: true\r\n"
            + "Content-Length: " + EVENT.length() + "\r\n\r\n" + EVENT;

    private static NewEvent event() {
        return new NewEvent(null, null, "M", new BigDecimal("5.00"), null, null, null);
    }

    @Test
    void aKeyedRequestWhoseAnswerWasLostGoesAgainWithTheSameKey() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> index == 0 ? "" : CREATED);
             HttpDomainApi api = new HttpDomainApi(server.uri(""), "admin", "pw")) {

            Created<Event> created = api.registerEvent(event(), new IdempotencyKey("lost-answer"));

            assertThat(created.value().id()).isEqualTo(7);
            assertThat(created.outcome()).isEqualTo(Outcome.CREATED);
            assertThat(created.replayed()).isTrue();
            assertThat(server.requests).hasSize(2);
            assertThat(server.requests).allSatisfy(request -> assertThat(request)
                    .startsWith("POST /events ").contains("\r\nIdempotency-Key: lost-answer\r\n"));
        }
    }

    @Test
    void withoutAKeyALostAnswerIsTheCallersToDealWith() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> index == 0 ? "" : CREATED);
             HttpDomainApi api = new HttpDomainApi(server.uri(""), "admin", "pw")) {

            assertThatThrownBy(() -> api.registerEvent(event()))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE));
            assertThat(server.requests).hasSize(1);
            assertThat(server.requests.getFirst()).doesNotContain("Idempotency-Key");
        }
    }

    @Test
    void aConflictIsNotRetried() throws Exception {
        String body = "{\"error\":\"conflict\",\"message\":\"this key was already used\",\"field\":\"Idempotency-Key\"}";
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> "HTTP/1.1 409 Conflict\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
             HttpDomainApi api = new HttpDomainApi(server.uri(""), "admin", "pw")) {

            assertThatThrownBy(() -> api.registerEvent(event(), new IdempotencyKey("used")))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT);
                        assertThat(e.field()).isEqualTo("Idempotency-Key");
                    });
            assertThat(server.requests).hasSize(1);
        }
    }

    @Test
    void headersOfAnAnswerAreReadByName() {
        HttpJson.Response response = new HttpJson.Response(200, null, Map.of("idempotent-replayed", "true"));
        assertThat(response.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(response.header("X-Other")).isNull();
    }
}
