package dev.campaignctl.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The connections an interactive shell keeps open between commands, one per target, so a shell
 * session starts the embedded database (or its HTTP client) once, not per command.
 */
public final class Sessions implements AutoCloseable {

    private final Map<String, Session> open = new LinkedHashMap<>();

    synchronized Session get(String key, Supplier<Session> opener) {
        return open.computeIfAbsent(key, k -> opener.get());
    }

    @Override
    public synchronized void close() {
        open.values().forEach(Session::release);
        open.clear();
    }
}
