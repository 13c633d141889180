package dev.campaignctl.server;

import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorBody;
import dev.campaignctl.core.error.ErrorKind;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/** An optional bearer token in front of the AI service ({@code AI_API_TOKEN}); compared in constant time. */
public final class BearerTokenFilter implements Filter {

    private final byte[] expected;
    private final Set<String> publicPaths;

    public BearerTokenFilter(String token, Set<String> publicPaths) {
        this.expected = digest("Bearer " + token);
        this.publicPaths = publicPaths;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        // A CORS preflight carries no credentials; OPTIONS serves nothing else (405 without CORS_ORIGINS).
        if (publicPaths.contains(request.path().path()) || request.prologue().method() == Method.OPTIONS) {
            chain.proceed();
            return;
        }
        // The scheme is case-insensitive (RFC 9110): "bearer x" is "Bearer x".
        String header = request.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            header = "Bearer " + header.substring(7);
        }
        if (MessageDigest.isEqual(expected, digest(header))) {
            chain.proceed();
        } else {
            response.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"campaignctl-ai\"");
            JsonIo.send(response, Status.UNAUTHORIZED_401, ErrorBody.of(
                    new ApiException(ErrorKind.UNAUTHORIZED, null, header.isEmpty() ? "bearer token required" : "invalid bearer token")));
        }
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
