package dev.campaignctl.server;

import dev.campaignctl.core.client.HttpStatuses;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorBody;
import dev.campaignctl.core.error.ErrorKind;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The one place where failures become HTTP statuses with a JSON body. */
public final class ErrorMapping {

    private static final Logger LOG = Logger.getLogger(ErrorMapping.class.getName());
    static final String REALM = "Basic realm=\"campaignctl\", charset=\"UTF-8\"";

    private ErrorMapping() {
    }

    public static void register(HttpRouting.Builder routing) {
        routing.error(ApiException.class, (request, response, e) -> {
            if (OpenAiErrors.applies(request.path().path())) {
                OpenAiErrors.send(response, e);
            } else {
                send(response, e);
            }
        });
        // Helidon's own refusals raised while routing (a 4xx it decided) keep their status.
        routing.error(HttpException.class, (request, response, e) -> {
            if (e.status().code() >= 500) {
                internal(request, response, e);
            } else {
                ErrorKind kind = HttpStatuses.kind(e.status().code());
                if (OpenAiErrors.applies(request.path().path())) {
                    OpenAiErrors.send(response, new ApiException(kind, null, e.getMessage()));
                    return;
                }
                JsonIo.send(response, e.status(), new ErrorBody(kind.code(), e.getMessage(), null));
            }
        });
        routing.error(Exception.class, ErrorMapping::internal);
    }

    private static void internal(ServerRequest request, ServerResponse response, Exception e) {
        LOG.log(Level.SEVERE, "unexpected failure on " + request.prologue().method() + " " + request.path().path(), e);
        ApiException internal = new ApiException(ErrorKind.INTERNAL, null, "internal error; see the server log");
        if (OpenAiErrors.applies(request.path().path())) {
            OpenAiErrors.send(response, internal);
        } else {
            send(response, internal);
        }
    }

    static void send(ServerResponse response, ApiException e) {
        if (e.kind() == ErrorKind.UNAUTHORIZED) {
            response.header(HeaderNames.WWW_AUTHENTICATE, REALM);
        }
        if (e.kind() == ErrorKind.UNAVAILABLE && !response.headers().contains(HeaderNames.RETRY_AFTER)) {
            // The database restarting or every connection busy: worth asking again shortly.
            response.header(HeaderNames.RETRY_AFTER, "1");
        }
        if (e.kind() == ErrorKind.PAYLOAD_TOO_LARGE) {
            // The rest of the body is not worth reading: closing saves draining up to the largest body.
            response.header(HeaderValues.CONNECTION_CLOSE);
        }
        JsonIo.send(response, Status.create(HttpStatuses.of(e.kind())), ErrorBody.of(e));
    }
}
