package dev.campaignctl.core.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.api.RequestId;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.http.HttpEndpoint;
import dev.campaignctl.core.http.Trust;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * JSON calls to our own services over {@link HttpEndpoint}: sends a body, returns the parsed
 * answer, and turns error bodies, redirects and connection failures into {@link ApiException}s.
 * Connections to the server are kept alive between calls.
 */
public final class HttpJson {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final String authorization;
    private final HttpEndpoint client;

    /** @param authorization the full Authorization header value, or null for none */
    public HttpJson(URI base, String authorization) {
        this(base, authorization, Trust.JVM);
    }

    /** @param trust the CAs an https server's certificate must chain to */
    public HttpJson(URI base, String authorization, Trust trust) {
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.authorization = authorization;
        try {
            this.client = new HttpEndpoint(this.base, trust, List.of());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("url", "must be an http:// or https:// URL, got \"" + base + "\"");
        }
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

    /** Sends one request and parses the answer; a 4xx or 5xx answer is thrown as an {@link ApiException}. */
    public Response send(String method, String path, Object body) {
        return send(method, path, body, List.of());
    }

    /** The same with more request headers, as name, value, name, value... */
    public Response send(String method, String path, Object body, List<String> extraHeaders) {
        List<String> headers = new ArrayList<>(4 + extraHeaders.size());
        headers.addAll(extraHeaders);
        if (RequestId.current() != null) {
            headers.addAll(List.of("X-Request-Id", RequestId.current()));
        }
        if (authorization != null) {
            headers.addAll(List.of("Authorization", authorization));
        }
        HttpEndpoint.Response answer;
        try {
            answer = client.send(method, path, body, headers, REQUEST_TIMEOUT);
        } catch (HttpEndpoint.DeadlineExceededException e) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, base + " did not answer within " + REQUEST_TIMEOUT.toSeconds() + " s", e);
        } catch (HttpEndpoint.RedirectException e) {
            // Not followed: the Authorization header would go along to wherever it points.
            throw new ApiException(ErrorKind.VALIDATION, "url", base + " answered " + e.status() + ", a redirect"
                    + (e.location() == null ? "" : " to " + e.location()) + "; use the address it points to");
        } catch (IOException e) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "cannot reach " + base + ": " + describe(e), e);
        }
        JsonNode json = parse(answer.body());
        if (answer.status() >= 400) {
            throw error(answer.status(), json);
        }
        return new Response(answer.status(), json, answer.headers());
    }

    private static String describe(IOException e) {
        if (e instanceof ConnectException || e instanceof SocketTimeoutException) {
            return "connection refused or timed out";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("").strip();
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
        ErrorKind kind = HttpStatuses.kind(status);
        if (body.isObject() && body.path("error").isObject()) {
            // The AI service's OpenAI-compatible routes answer in OpenAI's shape: {"error": {"message", "param"}}.
            JsonNode error = body.get("error");
            String param = error.hasNonNull("param") ? error.get("param").asText() : null;
            String message = error.path("message").asText();
            // Their message names the field too (SDKs show only the message): keep it once.
            if (param != null && message.startsWith(param + ": ")) {
                message = message.substring(param.length() + 2);
            }
            return new ApiException(kind, param, message);
        }
        if (body.isObject() && body.hasNonNull("message")) {
            String field = body.hasNonNull("field") ? body.get("field").asText() : null;
            return new ApiException(kind, field, body.get("message").asText());
        }
        String text = body.isTextual() ? body.textValue() : "HTTP " + status;
        return new ApiException(kind, null, base + " answered " + status + ": " + text);
    }

    /**
     * A link from an answer to {@code requested} (a path and query under the base URL), resolved as
     * RFC 3986 says, as a path and query under the base URL again. A link to another origin, or out
     * of the base URL's path, is refused: the credentials would go along.
     */
    public String follow(String requested, String link) {
        URI target;
        try {
            target = URI.create(base + requested).resolve(link.strip());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorKind.BAD_GATEWAY, null, base + " sent a malformed link: " + link);
        }
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        String path = target.getRawPath() == null ? "" : target.getRawPath();
        boolean sameOrigin = base.getScheme().equalsIgnoreCase(String.valueOf(target.getScheme()))
                && base.getHost().equalsIgnoreCase(String.valueOf(target.getHost())) && port(base) == port(target);
        if (!sameOrigin || !path.startsWith(basePath + "/")) {
            throw new ApiException(ErrorKind.BAD_GATEWAY, null, base + " sent a link outside itself: " + link);
        }
        return path.substring(basePath.length()) + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
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

    /** One path segment, percent-encoded (a customer id may hold '/', '?' or spaces). */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static Map<String, Object> params(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** A successful answer; headers by lower-case name. */
    public record Response(int status, JsonNode body, Map<String, String> headers) {
        /** An answer (or part of one) whose headers do not matter. */
        public Response(int status, JsonNode body) {
            this(status, body, Map.of());
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public <T> T as(Class<T> type) {
            try {
                return Json.MAPPER.treeToValue(body, type);
            } catch (JsonProcessingException e) {
                throw new ApiException(ErrorKind.INTERNAL, null, "unexpected answer: " + e.getOriginalMessage(), e);
            }
        }

        public <T> List<T> asList(Class<T> type) {
            return Json.MAPPER.convertValue(body, Json.MAPPER.getTypeFactory().constructCollectionType(List.class, type));
        }
    }
}
