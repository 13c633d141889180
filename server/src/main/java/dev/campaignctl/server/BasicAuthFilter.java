package dev.campaignctl.server;

import dev.campaignctl.core.config.Authenticator;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/**
 * HTTP Basic authentication for every route but the public ones ({@code /health}, so load
 * balancers can probe without credentials). A failure is a 401 with {@code WWW-Authenticate}.
 */
public final class BasicAuthFilter implements Filter {

    private final Authenticator authenticator;
    private final Set<String> publicPaths;

    public BasicAuthFilter(Authenticator authenticator, Set<String> publicPaths) {
        this.authenticator = authenticator;
        this.publicPaths = publicPaths;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        // A CORS preflight carries no credentials; OPTIONS serves nothing else (405 without CORS_ORIGINS).
        if (publicPaths.contains(request.path().path()) || request.prologue().method() == Method.OPTIONS) {
            chain.proceed();
            return;
        }
        Optional<String> header = request.headers().first(HeaderNames.AUTHORIZATION);
        if (header.isEmpty()) {
            ErrorMapping.send(response, new ApiException(ErrorKind.UNAUTHORIZED, null, "credentials required (HTTP Basic)"));
            return;
        }
        String[] pair = decode(header.get());
        if (pair == null) {
            ErrorMapping.send(response, new ApiException(ErrorKind.UNAUTHORIZED, null,
                    "malformed credentials: only HTTP Basic authentication is supported"));
            return;
        }
        Authenticator.Verdict verdict = authenticator.verify(client(request), pair[0], pair[1]);
        if (verdict.ok()) {
            chain.proceed();
        } else if (verdict.throttled()) {
            long seconds = Math.max(1, (verdict.retryAfter().toMillis() + 999) / 1000);
            response.header(HeaderNames.RETRY_AFTER, Long.toString(seconds));
            ErrorMapping.send(response, new ApiException(ErrorKind.TOO_MANY_REQUESTS, null,
                    "too many failed logins; retry after " + seconds + " s"));
        } else {
            ErrorMapping.send(response, new ApiException(ErrorKind.UNAUTHORIZED, null, "invalid username or password"));
        }
    }

    /** The client's address without its port: failures are counted per machine, not per connection. */
    private static String client(RoutingRequest request) {
        SocketAddress address = request.remotePeer().address();
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(address);
    }

    /** User and password of a Basic header, or null when it is not one. */
    private static String[] decode(String header) {
        if (!header.regionMatches(true, 0, "Basic ", 0, 6) || header.length() > 4096) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }
}
