package dev.campaignctl.server;

import io.helidon.common.socket.SocketOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * A server's limit on open connections, applied as each socket is accepted: one past the limit is
 * closed at once, so its client learns at once. Helidon's own {@code maxTcpConnections} instead
 * stops accepting, which leaves further clients connected by the kernel and waiting, without an
 * answer, until some other connection ends — for up to the idle timeout.
 *
 * <p>Helidon hands every accepted socket to its listener's connection options before serving it;
 * these options are Helidon's defaults plus that check. A socket refused here is closed by Helidon.
 */
final class ConnectionLimit implements SocketOptions {

    private static final Logger LOG = Logger.getLogger(ConnectionLimit.class.getName());

    private final SocketOptions defaults;
    private final int max;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refused = new AtomicInteger();

    ConnectionLimit(int max) {
        this(max, false);
    }

    /**
     * @param noDelay TCP_NODELAY, for a server that streams: without it a response written in
     *                several pieces — each event of a Server-Sent Events stream — waits for the
     *                client's delayed ACK (40 ms on Linux) before the next piece leaves (measured:
     *                a stream's first events 44 ms apart on loopback). Only the AI service sets it.
     */
    ConnectionLimit(int max, boolean noDelay) {
        this.max = max;
        this.defaults = noDelay ? SocketOptions.builder().tcpNoDelay(true).build() : SocketOptions.create();
    }

    @Override
    public void configureSocket(Socket socket) {
        if (open.size() >= max) {
            // Sockets are not reported closed: count again only when the limit seems reached.
            open.removeIf(Socket::isClosed);
        }
        if (open.size() >= max) {
            if (refused.getAndIncrement() % 1000 == 0) {
                LOG.warning("refusing connections: " + max + " are open (the limit; --max-connections)");
            }
            throw new UncheckedIOException(new IOException("connection limit of " + max + " reached"));
        }
        open.add(socket);
        defaults.configureSocket(socket);
    }

    @Override
    public Map<SocketOption<?>, Object> socketOptions() {
        return defaults.socketOptions();
    }

    @Override
    public Duration connectTimeout() {
        return defaults.connectTimeout();
    }

    @Override
    public Duration readTimeout() {
        return defaults.readTimeout();
    }

    @Override
    public Optional<Integer> socketReceiveBufferSize() {
        return defaults.socketReceiveBufferSize();
    }

    @Override
    public Optional<Integer> socketSendBufferSize() {
        return defaults.socketSendBufferSize();
    }

    @Override
    public boolean socketReuseAddress() {
        return defaults.socketReuseAddress();
    }

    @Override
    public boolean socketKeepAlive() {
        return defaults.socketKeepAlive();
    }

    @Override
    public boolean tcpNoDelay() {
        return defaults.tcpNoDelay();
    }
}
