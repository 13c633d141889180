package dev.campaignctl.server;

import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.api.ErrorKind;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
        if (publicPaths.contains(request.path().path()) || request.prologue().method() == io.helidon.http.Method.OPTIONS) {
            chain.proceed();
            return;
        }
        String header = request.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (MessageDigest.isEqual(expected, digest(header))) {
            chain.proceed();
        } else {
            response.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"campaignctl-ai\"");
            JsonIo.send(response, io.helidon.http.Status.UNAUTHORIZED_401, dev.campaignctl.core.api.ErrorBody.of(
                    new ApiException(ErrorKind.UNAUTHORIZED, null, header.isEmpty() ? "bearer token required" : "invalid bearer token")));
        }
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
