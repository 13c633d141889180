package dev.campaignctl.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.testing.ScriptedHttpServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON client of our own services: what it sends, and how answers and failures come back. */
class HttpJsonTest {

    @Test
    void sendsJsonWithCredentialsAndParsesTheAnswer() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) ->
                "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{\"id\":7}")) {
            HttpJson http = new HttpJson(server.uri("/"), HttpJson.basic("admin", "pw"));

            HttpJson.Response response = http.send("PATCH", "/campaigns/7", Map.of("name", "n"));

            assertThat(response.status()).isEqualTo(201);
            assertThat(response.body().get("id").asInt()).isEqualTo(7);
            assertThat(server.requests.get(0)).startsWith("PATCH /campaigns/7 HTTP/1.1\r\n")
                    .contains("\r\nAuthorization: Basic YWRtaW46cHc=\r\n", "\r\nContent-Type: application/json\r\n")
                    .endsWith("{\"name\":\"n\"}");
        }
    }

    @Test
    void aRedirectIsAnErrorNamingWhereItPointsAndIsNotFollowed() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) ->
                "HTTP/1.1 308 Permanent Redirect\r\nLocation: https://elsewhere.example/campaigns\r\nContent-Length: 0\r\n\r\n")) {
            HttpJson http = new HttpJson(server.uri(""), HttpJson.basic("admin", "pw"));

            assertThatThrownBy(() -> http.get("/campaigns"))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.VALIDATION))
                    .hasMessageContaining("308").hasMessageContaining("https://elsewhere.example/campaigns");
            assertThat(server.requests).hasSize(1);
        }
    }

    @Test
    void errorBodiesBecomeApiErrorsAndAnUnreachableServerSaysSo() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> "HTTP/1.1 404 Not Found\r\nContent-Length: 54\r\n\r\n"
                + "{\"error\":\"not_found\",\"message\":\"campaign 9 not found\"}")) {
            HttpJson http = new HttpJson(server.uri(""), null);

            assertThatThrownBy(() -> http.get("/campaigns/9"))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND))
                    .hasMessage("campaign 9 not found");
        }
        HttpJson nobody = new HttpJson(java.net.URI.create("http://127.0.0.1:1"), null);
        assertThatThrownBy(() -> nobody.get("/health"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE))
                .hasMessageContaining("cannot reach http://127.0.0.1:1");
        assertThatThrownBy(() -> new HttpJson(java.net.URI.create("ftp://example.com"), null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.VALIDATION));
    }

    @Test
    void anOpenAiShapedErrorNamesItsFieldOnce() throws Exception {
        String body = "{\"error\":{\"message\":\"expires: must be a positive period\",\"type\":\"invalid_request_error\",\"param\":\"expires\",\"code\":null}}";
        try (ScriptedHttpServer server = new ScriptedHttpServer((request, index) -> "HTTP/1.1 400 Bad Request\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body)) {
            HttpJson http = new HttpJson(server.uri(""), null);

            assertThatThrownBy(() -> http.get("/v1/keys"))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.field()).isEqualTo("expires");
                        assertThat(e.oneLine()).isEqualTo("expires: must be a positive period");
                    });
        }
    }
}
