package dev.campaignctl.core.ai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;

/**
 * The HTTP exchange both providers share: post JSON, map failures to {@link ProviderException}.
 *
 * <p>It uses the JDK's blocking {@link HttpURLConnection} rather than {@code java.net.http.HttpClient}:
 * on a virtual thread a blocking exchange costs a fraction of the CPU of the asynchronous client's
 * hand-offs between its selector and worker threads (measured by {@code scripts/bench-ai}: about
 * four times the throughput at 16 concurrent calls), and that cost is the gateway's added latency.
 */
final class ProviderHttp {

    static {
        // JVM-wide settings of HttpURLConnection, read once when it is first used (the gateway's
        // providers are built at start-up, before that); a value the user set wins.
        // The JDK keeps only 5 idle connections per host by default; a busy gateway needs more or it
        // reconnects on most calls.
        setIfAbsent("http.maxConnections", "64");
        // A POST that failed on a reused connection is otherwise sent again, silently: a second,
        // billed generation. Retries are the gateway's, counted and with backoff.
        setIfAbsent("sun.net.http.retryPost", "false");
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /** Closes exchanges that run past their deadline: a read timeout alone only bounds each pause. */
    private static final java.util.concurrent.ScheduledExecutorService DEADLINES =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "provider-deadlines");
                thread.setDaemon(true);
                return thread;
            });

    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final Duration timeout;

    ProviderHttp(Duration timeout) {
        this.timeout = timeout;
    }

    JsonNode post(String provider, URI uri, Object body, String... headers) {
        byte[] payload = Json.bytes(body);
        HttpURLConnection connection = null;
        java.util.concurrent.atomic.AtomicBoolean expired = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ScheduledFuture<?> deadline = null;
        try {
            connection = (HttpURLConnection) uri.toURL().openConnection();
            // A redirect would carry x-api-key to wherever it points (the JDK drops only Authorization).
            connection.setInstanceFollowRedirects(false);
            connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
            connection.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", "application/json");
            connection.setRequestProperty("Accept", "application/json");
            for (int i = 0; i + 1 < headers.length; i += 2) {
                connection.setRequestProperty(headers[i], headers[i + 1]);
            }
            HttpURLConnection open = connection;
            deadline = DEADLINES.schedule(() -> {
                expired.set(true);
                open.disconnect();
            }, timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(payload);
            }
            int status = connection.getResponseCode();
            JsonNode json = parse(status >= 400 ? connection.getErrorStream() : connection.getInputStream());
            if (status < 200 || status >= 300) {
                Duration retryAfter = retryAfter(connection.getHeaderField("Retry-After"));
                throw new ProviderException(provider, status, provider + " answered " + status
                        + ": " + errorMessage(json), retryAfter, false);
            }
            return json;
        } catch (IOException e) {
            disconnect(connection);
            if (e instanceof SocketTimeoutException || expired.get()) {
                throw new ProviderException(provider, 0, provider + " did not answer within " + timeout.toSeconds() + " s", null, true);
            }
            throw new ProviderException(provider, 0, "cannot reach " + provider + " at " + uri.getHost() + ": "
                    + e.getClass().getSimpleName(), null, false);
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
    }

    /** Reads the whole body, which also returns the connection to the keep-alive cache. */
    private static JsonNode parse(InputStream stream) throws IOException {
        if (stream == null) {
            return Json.MAPPER.nullNode();
        }
        byte[] body;
        try (stream) {
            body = stream.readAllBytes();
        }
        try {
            return body.length == 0 ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return Json.MAPPER.nullNode();
        }
    }

    private static void disconnect(HttpURLConnection connection) {
        if (connection != null) {
            connection.disconnect();
        }
    }

    /** Both APIs put the reason in {@code error.message}; the raw body could echo a key, so nothing else is used. */
    private static String errorMessage(JsonNode json) {
        JsonNode message = json.path("error").path("message");
        return message.isTextual() ? message.textValue() : "no error message";
    }

    static Duration retryAfter(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofMillis((long) (Double.parseDouble(value.trim()) * 1000));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
