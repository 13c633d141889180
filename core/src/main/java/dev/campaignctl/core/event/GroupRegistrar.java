package dev.campaignctl.core.event;

import dev.campaignctl.core.db.Jdbc;
import dev.campaignctl.core.db.Row;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Group commit for single registrations: events registered one per request by many clients at
 * once are written by one INSERT in one transaction, and each caller is answered only after that
 * transaction has committed (synchronously, so its event is on disk). With durability on, a commit
 * costs a WAL flush; one flush then acknowledges every event that arrived while the previous
 * group was being written, instead of one flush per event. A lone request waits for nothing: a
 * writer takes whatever is queued the moment it is free.
 *
 * <pre>{@code
 * try (GroupRegistrar registrar = new GroupRegistrar(dataSource, store)) {
 *     Registration r = registrar.register(event);   // from any number of threads
 * }
 * }</pre>
 */
public final class GroupRegistrar implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GroupRegistrar.class.getName());
    /** Largest group: beyond this the statement's arrays cost more than the flush they share. */
    static final int MAX_GROUP = 256;
    /** Registrations waiting for a writer; callers beyond this wait to enqueue (bounded memory). */
    private static final int QUEUE = 4_096;
    private static final int WRITERS = 2;

    private record Pending(NewEvent event, CompletableFuture<Registration> answer) {
    }

    private final DataSource dataSource;
    private final EventRegistration store;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE);
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean closed;

    public GroupRegistrar(DataSource dataSource, EventRegistration store) {
        this.dataSource = dataSource;
        this.store = store;
    }

    /** Stores the event as {@link EventRegistration#register} does, sharing a transaction with concurrent callers. */
    public Registration register(NewEvent event) {
        startWriters();
        Pending pending = new Pending(event, new CompletableFuture<>());
        try {
            queue.put(pending);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "interrupted before the event was stored");
        }
        if (closed && queue.remove(pending)) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "the service is stopping; the event was not stored");
        }
        try {
            return pending.answer().get();
        } catch (InterruptedException e) {
            // The group may still commit it: a retry with the same external_id or key finds it.
            Thread.currentThread().interrupt();
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "interrupted while the event was being stored");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private synchronized void startWriters() {
        if (!writers.isEmpty() || closed) {
            return;
        }
        for (int i = 0; i < WRITERS; i++) {
            writers.add(Thread.ofPlatform().name("event-registrar-" + i).daemon().start(this::writeLoop));
        }
    }

    private void writeLoop() {
        List<Pending> group = new ArrayList<>(MAX_GROUP);
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group, MAX_GROUP - 1);
                write(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable e) {
                // write() answers every caller; this only keeps the writer alive for the next group.
                LOG.log(Level.SEVERE, "event registration writer failed", e);
            } finally {
                group.clear();
            }
        }
    }

    /**
     * Writes a group in one transaction. When it fails for a reason other than the database's
     * availability, the events are written one by one, so one bad event costs only its own caller.
     */
    private void write(List<Pending> group) {
        Object[] results;
        try {
            results = insertRetryingRollbacks(group);
        } catch (Throwable e) {
            if (group.size() == 1 || Failures.isTransient(e)) {
                group.forEach(pending -> pending.answer().completeExceptionally(e));
                return;
            }
            LOG.log(Level.WARNING, "a group of " + group.size() + " registrations failed ("
                    + Failures.describe(e) + "); storing them one by one");
            for (Pending pending : group) {
                try {
                    pending.answer().complete(store.register(pending.event()));
                } catch (Throwable single) {
                    pending.answer().completeExceptionally(single);
                }
            }
            return;
        }
        for (int i = 0; i < group.size(); i++) {
            if (results[i] instanceof Registration registration) {
                group.get(i).answer().complete(registration);
            } else {
                group.get(i).answer().completeExceptionally((RuntimeException) results[i]);
            }
        }
    }

    /** The group's transaction, again (up to three times) when PostgreSQL rolled it back for a deadlock or serialization failure. */
    private Object[] insertRetryingRollbacks(List<Pending> group) {
        for (int attempt = 1; ; attempt++) {
            try {
                return Jdbc.transaction(dataSource, connection -> insertGroup(connection, group));
            } catch (RuntimeException e) {
                if (attempt >= 3 || !Failures.isRolledBack(e)) {
                    throw e;
                }
            }
        }
    }

    /**
     * One INSERT for the group with ids drawn beforehand, so each returned row is matched to its
     * caller by id; an event whose external_id is already stored (before, or earlier in this group)
     * is a duplicate when its payload is the same and a conflict when it differs, exactly as a lone
     * registration would be. Returns a {@link Registration} or an {@link ApiException} per event.
     */
    private static Object[] insertGroup(Connection connection, List<Pending> group) throws SQLException {
        int n = group.size();
        List<NewEvent> events = new ArrayList<>(n);
        List<Integer> all = new ArrayList<>(n);
        Long[] ids = new Long[n];
        long[] allocated = EventRegistration.allocateIds(connection, n);
        Map<Long, Integer> indexOfId = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            events.add(group.get(i).event());
            all.add(i);
            ids[i] = allocated[i];
            indexOfId.put(allocated[i], i);
        }
        // Rows go in by external_id: two groups sharing keys then wait on each other's in one order,
        // never in a cycle (a deadlock).
        all.sort(Comparator.comparing((Integer i) -> events.get(i).externalId(), Comparator.nullsLast(Comparator.naturalOrder())));
        Object[] results = new Object[n];
        try (PreparedStatement ps = EventRegistration.insertStatement(connection, events, ids, all, EventRows.EVENT_COLUMNS);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Event stored = EventRows.event(Row.of(rs)).withEarnings(List.of());
                results[indexOfId.get(stored.id())] = new Registration(stored, false);
            }
        }
        List<String> known = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (results[i] == null) {
                known.add(events.get(i).externalId());
            }
        }
        if (known.isEmpty()) {
            return results;
        }
        Map<String, Event> existing = new HashMap<>();
        for (Event event : EventRegistration.findByExternalIds(connection, known)) {
            existing.put(event.externalId(), event);
        }
        for (int i = 0; i < n; i++) {
            if (results[i] == null) {
                Event stored = existing.get(events.get(i).externalId());
                if (stored == null) {
                    throw new IllegalStateException("external_id " + events.get(i).externalId() + " conflicted but is not stored");
                }
                results[i] = events.get(i).samePayloadAs(stored)
                        ? new Registration(stored.withEarnings(EventStore.earningsOf(connection, stored.id())), true)
                        : EventRegistration.externalIdConflict(events.get(i).externalId(), stored.id());
            }
        }
        return results;
    }

    /** Writes what is queued, then stops the writers; registrations after this fail as unavailable. */
    @Override
    public void close() {
        closed = true;
        List<Thread> started;
        synchronized (this) {
            started = List.copyOf(writers);
        }
        for (Thread writer : started) {
            try {
                writer.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        Pending left;
        while ((left = queue.poll()) != null) {
            left.answer().completeExceptionally(new ApiException(ErrorKind.UNAVAILABLE, null,
                    "the service stopped before the event was stored"));
        }
    }
}
