package dev.campaignctl.server;

import dev.campaignctl.core.api.Page;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Answers a list request with one page as a JSON array and, when more exist, a
 * {@code Link: </events?status=skipped&limit=50&starting_after=4711>; rel="next"} header (RFC 8288).
 *
 * <p>The link is the request's own path and query, with {@code starting_after} replaced: every
 * filter and the limit stay as the client sent them. It is relative (an absolute path), so it is
 * right whatever host, port or scheme the client reached the service by — a proxy's included —
 * without trusting a Host or Forwarded header; a client resolves it against the URL it requested.
 */
final class NextLink {

    static final HeaderName LINK = HeaderNames.create("Link");
    private static final String CURSOR = "starting_after";
    private static final Pattern LEADING_SLASHES = Pattern.compile("^[/\\\\]+");

    private NextLink() {
    }

    static void send(ServerRequest request, ServerResponse response, Page<?> page) {
        if (page.hasNext()) {
            response.header(LINK, "<" + url(request, page.nextStartingAfter()) + ">; rel=\"next\"");
        }
        JsonIo.ok(response, page.items());
    }

    /** The request's path and query with {@code starting_after=cursor} in place of any it had. */
    static String url(ServerRequest request, long cursor) {
        // One leading slash: "//host/.." or "/\host" would make the link point at another host.
        String path = LEADING_SLASHES.matcher(request.path().absolute().rawPath()).replaceFirst("/");
        StringBuilder url = new StringBuilder(safe(path)).append('?');
        String query = request.query().rawValue();
        for (String pair : query == null ? new String[0] : query.split("&")) {
            if (!pair.isEmpty() && !name(pair).equals(CURSOR)) {
                url.append(safe(pair)).append('&');
            }
        }
        return url.append(CURSOR).append('=').append(cursor).toString();
    }

    private static String name(String pair) {
        int eq = pair.indexOf('=');
        String raw = eq < 0 ? pair : pair.substring(0, eq);
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }

    /**
     * The text with every character a URI may not hold, or that would end the link ({@code <>"},
     * space, controls), percent-encoded; what was encoded stays as it was.
     */
    private static String safe(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > 0x20 && c < 0x7f && "<>\"\\^`{|}".indexOf(c) < 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
