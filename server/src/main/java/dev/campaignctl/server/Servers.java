package dev.campaignctl.server;

import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.api.ErrorKind;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.util.function.Consumer;

/** What every service's server shares: the listener settings, the JSON 404, the error mapping. */
final class Servers {

    private Servers() {
    }

    static WebServer start(String host, int port, long maxPayload, Consumer<HttpRouting.Builder> routing) {
        return WebServer.builder()
                .host(host)
                .port(port)
                .maxPayloadSize(maxPayload)
                .shutdownHook(false)
                .routing(routing)
                .build()
                .start();
    }

    /** Ends a service's routing: unknown routes get a JSON 404, and failures their status. */
    static void finish(HttpRouting.Builder routing) {
        routing.any((request, response) -> {
            throw new ApiException(ErrorKind.NOT_FOUND, null,
                    "no route for " + request.prologue().method().text() + " " + request.path().path());
        });
        ErrorMapping.register(routing);
    }
}
