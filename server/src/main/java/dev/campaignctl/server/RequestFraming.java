package dev.campaignctl.server;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Refuses, with 400 and a closed connection, a request whose body length is unclear (RFC 9112,
 * section 6): a {@code Content-Length} that is not one plain number, a {@code Transfer-Encoding}
 * other than {@code chunked}, or both at once. Helidon 4.1.7 would take {@code Content-Length: -1}
 * for chunked, and a body sent with an unknown transfer coding for the next request — the stuff
 * of request smuggling — or wait for a body that never comes.
 */
final class RequestFraming implements Http1ConnectionListener {

    private static final Pattern LENGTH = Pattern.compile("[0-9]{1,18}");

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        List<String> lengths = headers.all(HeaderNames.CONTENT_LENGTH, List::of);
        List<String> codings = headers.all(HeaderNames.TRANSFER_ENCODING, List::of);
        if (!lengths.isEmpty() && !codings.isEmpty()) {
            throw refused("a request must not carry both Content-Length and Transfer-Encoding");
        }
        if (lengths.size() > 1 || lengths.size() == 1 && !LENGTH.matcher(lengths.getFirst().trim()).matches()) {
            throw refused("Content-Length must be one number of bytes");
        }
        if (codings.size() > 1 || codings.size() == 1 && !codings.getFirst().trim().equalsIgnoreCase("chunked")) {
            throw refused("Transfer-Encoding must be chunked, the only transfer coding this server reads");
        }
    }

    private static RequestException refused(String message) {
        return RequestException.builder()
                .type(DirectHandler.EventType.BAD_REQUEST)
                .status(Status.BAD_REQUEST_400)
                .message(message)
                .setKeepAlive(false)
                .build();
    }
}
