package dev.campaignctl.server;

import dev.campaignctl.core.ai.keys.KeyStore;
import dev.campaignctl.core.ai.keys.VirtualKey;
import dev.campaignctl.core.client.HttpStatuses;
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
import io.helidon.webserver.http.ServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who calls the AI service. The service's {@code AI_API_TOKEN} may do anything (compared in
 * constant time); a virtual key ({@code sk-cc-...}) may call models and read its own usage,
 * nothing else; without {@code AI_API_TOKEN} a request without a key is let through, as before
 * (the service then listens on loopback only, unless the operator insisted).
 */
public final class AiAuthFilter implements Filter {

    /** The caller of a request, as this filter found it: a virtual key, or null for the service's own token. */
    public record Caller(VirtualKey key) {
    }

    private static final Set<String> MODEL_ROUTES = Set.of("/v1/chat/completions", "/v1/models");
    private static final Pattern OWN_USAGE = Pattern.compile("/v1/keys/(\\d{1,18})/usage");

    private final byte[] expected;
    private final KeyStore keys;
    private final Set<String> publicPaths;

    /** @param token the service's token, or null for none; @param keys null when no database holds keys */
    public AiAuthFilter(String token, KeyStore keys, Set<String> publicPaths) {
        this.expected = token == null ? null : digest("Bearer " + token);
        this.keys = keys;
        this.publicPaths = publicPaths;
    }

    /** The caller the filter registered on the request (the service's token when none was). */
    public static Caller caller(ServerRequest request) {
        return request.context().get(Caller.class).orElse(new Caller(null));
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        String path = request.path().path();
        // A CORS preflight carries no credentials; OPTIONS serves nothing else (405 without CORS_ORIGINS).
        if (publicPaths.contains(path) || request.prologue().method() == Method.OPTIONS) {
            chain.proceed();
            return;
        }
        // The scheme is case-insensitive (RFC 9110): "bearer x" is "Bearer x".
        String header = request.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            header = "Bearer " + header.substring(7);
        }
        if (expected != null && MessageDigest.isEqual(expected, digest(header))) {
            chain.proceed();
            return;
        }
        String bearer = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
        if (bearer != null && bearer.startsWith(KeyStore.SECRET_PREFIX) && keys != null) {
            Optional<VirtualKey> key = keys.authenticate(bearer, Instant.now());
            if (key.isEmpty()) {
                refuse(response, path, new ApiException(ErrorKind.UNAUTHORIZED, null, "invalid, revoked or expired API key"));
                return;
            }
            if (!mayCall(key.get(), request.prologue().method(), path)) {
                refuse(response, path, new ApiException(ErrorKind.FORBIDDEN, null, "a virtual key may call models"
                        + " (POST /v1/chat/completions, GET /v1/models) and read its own usage (GET /v1/keys/"
                        + key.get().id() + "/usage), nothing else"));
                return;
            }
            request.context().register(new Caller(key.get()));
            chain.proceed();
            return;
        }
        if (expected == null) {
            // An open service (loopback only): whatever else the request carries, it may do anything.
            chain.proceed();
            return;
        }
        refuse(response, path, new ApiException(ErrorKind.UNAUTHORIZED, null,
                header.isEmpty() ? "bearer token required" : "invalid bearer token"));
    }

    private static boolean mayCall(VirtualKey key, Method method, String path) {
        if (MODEL_ROUTES.contains(path)) {
            return true;
        }
        var usage = OWN_USAGE.matcher(path);
        return method == Method.GET && usage.matches() && Long.parseLong(usage.group(1)) == key.id();
    }

    private static void refuse(RoutingResponse response, String path, ApiException e) {
        if (e.kind() == ErrorKind.UNAUTHORIZED) {
            response.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"campaignctl-ai\"");
        }
        if (OpenAiErrors.applies(path)) {
            OpenAiErrors.send(response, e);
        } else {
            JsonIo.send(response, Status.create(HttpStatuses.of(e.kind())), ErrorBody.of(e));
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
