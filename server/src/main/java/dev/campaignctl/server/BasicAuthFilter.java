package dev.campaignctl.server;

import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.api.ErrorKind;
import dev.campaignctl.core.config.Authenticator;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
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
        if (publicPaths.contains(request.path().path())) {
            chain.proceed();
            return;
        }
        Optional<String> header = request.headers().first(HeaderNames.AUTHORIZATION);
        String problem = header.isPresent() ? check(header.get()) : "credentials required (HTTP Basic)";
        if (problem == null) {
            chain.proceed();
        } else {
            ErrorMapping.send(response, new ApiException(ErrorKind.UNAUTHORIZED, null, problem));
        }
    }

    /** Null when the credentials are good, else what is wrong with them. */
    private String check(String header) {
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return "only HTTP Basic authentication is supported";
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "malformed Basic credentials";
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return "malformed Basic credentials";
        }
        return authenticator.verify(decoded.substring(0, colon), decoded.substring(colon + 1))
                ? null : "invalid username or password";
    }
}
