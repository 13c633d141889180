package dev.campaignctl.core.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one thin JSON-over-HTTP wrapper of the project (JDK HttpClient): sends a body, returns the
 * parsed answer, and turns error bodies and connection failures into {@link ApiException}s.
 */
public final class HttpJson {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final String authorization;
    private volatile HttpClient patchClient;

    /** @param authorization the full Authorization header value, or null for none */
    public HttpJson(URI base, String authorization) {
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.authorization = authorization;
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public URI base() {
        return base;
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    /**
     * Sends one request. HttpURLConnection carries everything but PATCH: it starts in milliseconds
     * where the JDK HttpClient needs a third of a second, which a one-shot CLI command feels.
     */
    public Response send(String method, String path, Object body) {
        byte[] payload = body == null ? null : Json.bytes(body);
        Exchange exchange = method.equals("PATCH") ? viaHttpClient(method, path, payload) : viaConnection(method, path, payload);
        JsonNode json = parse(exchange.body());
        if (exchange.status() >= 400) {
            throw error(exchange.status(), json);
        }
        return new Response(exchange.status(), json);
    }

    private record Exchange(int status, byte[] body) {
    }

    private Exchange viaConnection(String method, String path, byte[] payload) {
        try {
            java.net.HttpURLConnection connection = (java.net.HttpURLConnection) URI.create(base + path).toURL().openConnection();
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            connection.setReadTimeout((int) REQUEST_TIMEOUT.toMillis());
            connection.setRequestMethod(method);
            connection.setRequestProperty("Accept", "application/json");
            if (RequestId.current() != null) {
                connection.setRequestProperty("X-Request-Id", RequestId.current());
            }
            if (authorization != null) {
                connection.setRequestProperty("Authorization", authorization);
            }
            if (payload != null) {
                connection.setDoOutput(true);
                connection.setRequestProperty("Content-Type", "application/json");
                connection.setFixedLengthStreamingMode(payload.length);
                try (var out = connection.getOutputStream()) {
                    out.write(payload);
                }
            }
            int status = connection.getResponseCode();
            var in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            byte[] answer = in == null ? new byte[0] : in.readAllBytes();
            if (in != null) {
                in.close();
            }
            return new Exchange(status, answer);
        } catch (java.net.SocketTimeoutException e) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, base + " did not answer in time", e);
        } catch (IOException e) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "cannot reach " + base + ": " + describe(e), e);
        }
    }

    private static String describe(IOException e) {
        return e instanceof ConnectException ? "connection refused or timed out" : e.getMessage();
    }

    private Exchange viaHttpClient(String method, String path, byte[] payload) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        if (RequestId.current() != null) {
            request.header("X-Request-Id", RequestId.current());
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (payload == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(payload));
        }
        try {
            HttpResponse<byte[]> response = patchClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Exchange(response.statusCode(), response.body());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "cannot reach " + base + ": connection refused or timed out", e);
        } catch (HttpTimeoutException e) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, base + " did not answer within " + REQUEST_TIMEOUT.toSeconds() + " s", e);
        } catch (IOException e) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "cannot reach " + base + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "interrupted while calling " + base, e);
        }
    }

    private HttpClient patchClient() {
        HttpClient client = patchClient;
        if (client == null) {
            HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT);
            if ("http".equals(base.getScheme())) {
                builder.version(HttpClient.Version.HTTP_1_1);
            }
            client = builder.build();
            patchClient = client;
        }
        return client;
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return Json.MAPPER.nullNode();
        }
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return Json.MAPPER.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
        }
    }

    private ApiException error(int status, JsonNode body) {
        ErrorKind kind = ErrorKind.fromStatus(status);
        if (body.isObject() && body.hasNonNull("message")) {
            String field = body.hasNonNull("field") ? body.get("field").asText() : null;
            return new ApiException(kind, field, body.get("message").asText());
        }
        String text = body.isTextual() ? body.textValue() : "HTTP " + status;
        return new ApiException(kind, null, base + " answered " + status + ": " + text);
    }

    /** Builds {@code ?a=1&b=x} from the non-null entries. */
    public static String query(Map<String, Object> params) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Object> entry : params.entrySet()) {
            if (entry.getValue() == null) {
                continue;
            }
            out.append(out.isEmpty() ? '?' : '&')
                    .append(entry.getKey()).append('=')
                    .append(URLEncoder.encode(String.valueOf(entry.getValue()), StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    public static Map<String, Object> params(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** A successful answer. */
    public record Response(int status, JsonNode body) {
        public <T> T as(Class<T> type) {
            try {
                return Json.MAPPER.treeToValue(body, type);
            } catch (JsonProcessingException e) {
                throw new ApiException(ErrorKind.INTERNAL, null, "unexpected answer: " + e.getOriginalMessage(), e);
            }
        }

        public <T> java.util.List<T> asList(Class<T> type) {
            return Json.MAPPER.convertValue(body, Json.MAPPER.getTypeFactory().constructCollectionType(java.util.List.class, type));
        }
    }
}
