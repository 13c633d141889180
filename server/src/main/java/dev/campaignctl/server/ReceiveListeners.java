package dev.campaignctl.server;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.util.List;

/**
 * Several HTTP/1.1 receive listeners as one, called in order. Helidon 4.1.7 joins two or more
 * configured listeners into a listener that forwards nothing, so a server registers this one.
 */
final class ReceiveListeners implements Http1ConnectionListener {

    private final List<Http1ConnectionListener> listeners;

    ReceiveListeners(Http1ConnectionListener... listeners) {
        this.listeners = List.of(listeners);
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        for (Http1ConnectionListener listener : listeners) {
            listener.prologue(ctx, prologue);
        }
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        for (Http1ConnectionListener listener : listeners) {
            listener.headers(ctx, headers);
        }
    }

    @Override
    public void data(ConnectionContext ctx, BufferData data) {
        for (Http1ConnectionListener listener : listeners) {
            listener.data(ctx, data);
        }
    }
}
