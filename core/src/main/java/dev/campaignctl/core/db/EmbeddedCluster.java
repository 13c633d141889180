package dev.campaignctl.core.db;

import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The embedded PostgreSQL of one data directory, owned by this process for as long as it is open:
 * started durably (fsync, synchronous commit and full-page writes on), cleared of what a crashed
 * owner left running, and restarted on the same port if its postmaster dies while we run.
 *
 * <pre>{@code
 * try (EmbeddedCluster cluster = EmbeddedCluster.start(dataDir)) { ... cluster.port() ... }
 * }</pre>
 *
 * zonky initialises the cluster and starts it the first time; a restart goes through the same
 * installation's pg_ctl, because zonky starts a postmaster once per instance and waits out its whole
 * start-up timeout when pg_ctl fails. Recognising orphans and supervising need Linux's /proc
 * ({@link PostgresProcesses#SUPPORTED}); elsewhere the cluster is only started and stopped.
 */
final class EmbeddedCluster implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedCluster.class.getName());

    static final String DATABASE = "campaignctl";
    static final String LOG_FILE = "postgresql.log";
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration START_WAIT = Duration.ofSeconds(120);
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);
    /** How long backends of a dead postmaster get to notice and exit before they are asked to (SIGTERM). */
    private static final Duration ORPHAN_BACKEND_GRACE = Duration.ofSeconds(10);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final Path dir;
    private final Path pgdata;
    private final DataDirLock lock;
    private final EmbeddedPostgres zonky;
    private final PgCtl pgCtl;
    private final String password;
    private final Thread supervisor;
    private final Thread shutdownHook;
    private volatile ProcessHandle postmaster;
    private volatile boolean up = true;
    private volatile boolean closing;
    private boolean closed;

    private EmbeddedCluster(Path dir, DataDirLock lock, EmbeddedPostgres zonky, ProcessHandle postmaster, String password) {
        this.dir = dir;
        this.pgdata = dir.resolve("pgdata");
        this.lock = lock;
        this.zonky = zonky;
        this.postmaster = postmaster;
        this.pgCtl = PgCtl.of(postmaster).orElseThrow(() -> new IllegalStateException(
                "no pg_ctl beside the postgres executable of process " + postmaster.pid()));
        this.password = password;
        this.supervisor = Thread.ofPlatform().daemon().name("campaignctl-postgres-supervisor").unstarted(this::supervise);
        this.shutdownHook = new Thread(this::close, "campaignctl-postgres-stop");
    }

    /**
     * The server settings. The first three are the durability a 2xx promises; zonky starts every
     * postmaster with {@code -F} (no fsync) and defaults synchronous commit to its unsafe value, and
     * a later {@code -c} on the command line wins over both.
     */
    static Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("fsync", "on");
        settings.put("synchronous_commit", "on");
        settings.put("full_page_writes", "on");
        settings.put("max_connections", "200");
        settings.put("shared_buffers", "256MB");
        settings.put("timezone", "UTC");
        // TCP on localhost only. A Unix socket's lock file in /tmp names the postmaster's PID, and a
        // restart after a crash would wait until that dead postmaster's zombie is reaped.
        settings.put("unix_socket_directories", "''");
        return settings;
    }

    /** Takes the data directory's lock, stops what a dead owner left running, and starts the cluster. */
    static EmbeddedCluster start(Path dir) {
        Path pgdata = dir.resolve("pgdata");
        DataDirLock lock;
        try {
            Files.createDirectories(dir);
            lock = DataDirLock.tryAcquire(dir).orElse(null);
        } catch (IOException e) {
            throw cannotStart(dir, e);
        }
        if (lock == null) {
            throw new ApiException(ErrorKind.UNAVAILABLE, null, "cannot start the embedded PostgreSQL in " + dir
                    + ": process " + DataDirLock.holder(dir) + " holds " + dir.resolve(DataDirLock.FILE)
                    + " (is another campaignctl using it?)");
        }
        EmbeddedPostgres zonky = null;
        try {
            stopLeftovers(pgdata);
            String password = EmbeddedPassword.readOrCreate(dir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(pgdata)
                    .setCleanDataDirectory(false)
                    // Our own hook stops the server, after the supervisor, so it is not restarted while stopping.
                    .setRegisterShutdownHook(false)
                    .setConnectConfig("password", password)
                    .setPGStartupWait(START_WAIT);
            settings().forEach(builder::setServerConfig);
            zonky = builder.start();
            ProcessHandle postmaster = PostgresProcesses.postmaster(pgdata).orElseThrow(() -> new IOException(
                    "PostgreSQL started but " + pgdata.resolve(PostgresProcesses.PID_FILE) + " names no running postmaster"));
            EmbeddedCluster cluster = new EmbeddedCluster(dir, lock, zonky, postmaster, password);
            EmbeddedPassword.require(zonky, pgdata, password);
            createDatabaseIfMissing(zonky);
            if (PostgresProcesses.SUPPORTED) {
                cluster.supervisor.start();
            }
            Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
            return cluster;
        } catch (IOException | SQLException | RuntimeException e) {
            closeAfterFailedStart(zonky, lock);
            throw e instanceof ApiException api ? api : cannotStart(dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeAfterFailedStart(zonky, lock);
            throw cannotStart(dir, e);
        }
    }

    /**
     * With the lock held, any PostgreSQL process on our data directory belongs to a campaignctl that
     * died (SIGKILL, OOM kill) and left its postmaster running, or to a postmaster that died and left
     * backends: stop them, so the start below finds the directory and its shared memory free.
     */
    private static void stopLeftovers(Path pgdata) throws IOException, InterruptedException {
        if (!PostgresProcesses.SUPPORTED || !Files.exists(pgdata.resolve(PostgresProcesses.PID_FILE))) {
            return; // removed by every clean shutdown: nothing was left running
        }
        var orphan = PostgresProcesses.postmaster(pgdata);
        if (orphan.isPresent()) {
            LOG.warning("PostgreSQL (pid " + orphan.get().pid() + ") is still running on " + pgdata
                    + ", left by a campaignctl that stopped without shutting it down; stopping it");
            stopOrphan(orphan.get(), pgdata);
        }
        List<ProcessHandle> backends = PostgresProcesses.all(pgdata);
        if (!backends.isEmpty() && !PostgresProcesses.awaitGone(backends, pgdata, ORPHAN_BACKEND_GRACE)) {
            // Backends of a dead postmaster: SIGTERM ends a session and is safe; their postmaster is gone anyway.
            PostgresProcesses.all(pgdata).forEach(ProcessHandle::destroy);
            PostgresProcesses.awaitGone(PostgresProcesses.all(pgdata), pgdata, Duration.ofSeconds(5));
        }
        removeStalePidFile(pgdata);
    }

    /**
     * PostgreSQL refuses to start while the PID in postmaster.pid exists, and it cannot tell a live
     * postmaster from a zombie no one has reaped yet (common in containers) or a recycled PID. With
     * the lock held and no process of ours on the data directory, the file is stale.
     */
    private static void removeStalePidFile(Path pgdata) throws IOException {
        List<ProcessHandle> running = PostgresProcesses.all(pgdata);
        if (!running.isEmpty()) {
            throw new IOException("PostgreSQL processes " + pids(running) + " still run on " + pgdata
                    + " after the postmaster that started them died");
        }
        if (Files.deleteIfExists(pgdata.resolve(PostgresProcesses.PID_FILE))) {
            LOG.info("removed the stale " + pgdata.resolve(PostgresProcesses.PID_FILE));
        }
    }

    /** pg_ctl's fast shutdown (sessions rolled back, checkpoint written); SIGKILL only if that fails, which WAL recovery undoes. */
    private static void stopOrphan(ProcessHandle orphan, Path pgdata) throws InterruptedException {
        var pgCtl = PgCtl.of(orphan);
        if (pgCtl.isPresent()) {
            try {
                pgCtl.get().stop(pgdata, PgCtl.StopMode.FAST, STOP_WAIT);
            } catch (IOException e) {
                LOG.warning("stopping the orphaned PostgreSQL failed: " + e.getMessage());
            }
        }
        if (!PostgresProcesses.awaitGone(List.of(orphan), pgdata, Duration.ofSeconds(1))) {
            LOG.warning("killing the orphaned PostgreSQL (pid " + orphan.pid() + "); it recovers from its WAL at start");
            orphan.destroyForcibly();
            PostgresProcesses.awaitGone(List.of(orphan), pgdata, STOP_WAIT);
        }
    }

    private static void createDatabaseIfMissing(EmbeddedPostgres postgres) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
            if (!rs.next()) {
                s.execute("CREATE DATABASE " + DATABASE);
            }
        }
    }

    int port() {
        return zonky.getPort();
    }

    String password() {
        return password;
    }

    /** False from the moment the postmaster is gone until the supervisor has it running again. */
    boolean isUp() {
        // Looked at now, not only every POLL: a probe right after a crash must not wait on the pool.
        return up && !closing && (!PostgresProcesses.SUPPORTED || PostgresProcesses.runsOn(postmaster, pgdata));
    }

    private void supervise() {
        while (!closing) {
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                continue;
            }
            if (!closing && !PostgresProcesses.runsOn(postmaster, pgdata)) {
                restart();
            }
        }
    }

    /**
     * Restarts on the same port, so the pool, the processor's LISTEN connection and any process that
     * read the URL from server.properties reconnect by themselves. Backends of the dead postmaster
     * hold its shared memory until they notice it died and exit, so retry with backoff.
     */
    private void restart() {
        up = false;
        long died = System.nanoTime();
        LOG.warning("the embedded PostgreSQL (pid " + postmaster.pid() + ") on port " + port()
                + " stopped unexpectedly; restarting it");
        Duration backoff = Duration.ofMillis(100);
        for (int attempt = 1; !closing; attempt++) {
            try {
                postmaster = startOrAwaitPostmaster();
                up = true;
                LOG.warning("the embedded PostgreSQL is running again (pid " + postmaster.pid() + ") after "
                        + Duration.ofNanos(System.nanoTime() - died).toMillis() + " ms, " + attempt + " attempt(s)");
                return;
            } catch (IOException | RuntimeException e) {
                // The first failures are usual (backends still exiting); a start that keeps failing is not.
                Level level = attempt % 10 == 0 ? Level.WARNING : attempt == 1 ? Level.INFO : Level.FINE;
                LOG.log(level, "restarting the embedded PostgreSQL failed (attempt " + attempt + "), retrying in "
                        + backoff.toMillis() + " ms; its output is in " + dir.resolve(LOG_FILE) + ": " + e.getMessage());
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                // close() interrupts: the loop condition ends the retries.
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /**
     * A postmaster already on pgdata was started by an earlier attempt whose pg_ctl stopped waiting
     * during a long crash recovery: wait for it rather than start a second one.
     */
    private ProcessHandle startOrAwaitPostmaster() throws IOException {
        var running = PostgresProcesses.postmaster(pgdata);
        if (running.isEmpty()) {
            // Fails, and is retried, while backends of the dead postmaster still hold its shared memory.
            removeStalePidFile(pgdata);
            pgCtl.start(pgdata, serverOptions(), dir.resolve(LOG_FILE), START_WAIT);
            running = PostgresProcesses.postmaster(pgdata);
        }
        if (running.isEmpty() || !PostgresProcesses.ready(pgdata)) {
            throw new IOException(running.map(p -> "PostgreSQL (pid " + p.pid() + ") is still starting")
                    .orElse("pg_ctl started PostgreSQL but " + PostgresProcesses.PID_FILE + " names no running postmaster"));
        }
        return running.get();
    }

    private List<String> serverOptions() {
        List<String> options = new ArrayList<>(List.of("-p", Integer.toString(port())));
        settings().forEach((key, value) -> options.addAll(List.of("-c", key + "=" + value)));
        return options;
    }

    /** Stops the supervisor, then the server (a fast shutdown), then releases the data directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closing = true;
        supervisor.interrupt();
        joinQuietly(supervisor);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // Already shutting down: this may be the hook itself.
        }
        stopServer();
        try {
            lock.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "releasing " + DataDirLock.FILE, e);
        }
    }

    /**
     * zonky's close stops the server (fast mode, waiting 5 s) and releases zonky's own lock in
     * pgdata; a checkpoint first keeps the shutdown checkpoint within that, and a shutdown that
     * still takes longer is waited for here, so the lock is released only when the server is down.
     */
    private void stopServer() {
        boolean running = !PostgresProcesses.SUPPORTED || PostgresProcesses.runsOn(postmaster, pgdata);
        if (running) {
            checkpoint();
        }
        try {
            zonky.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing zonky's EmbeddedPostgres", e);
        }
        try {
            if (running && PostgresProcesses.runsOn(postmaster, pgdata)) {
                pgCtl.stop(pgdata, PgCtl.StopMode.FAST, STOP_WAIT);
            }
        } catch (IOException e) {
            LOG.warning("stopping the embedded PostgreSQL failed: " + e.getMessage() + "; the next start stops what is left");
        }
    }

    private void checkpoint() {
        try (Connection c = zonky.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        } catch (SQLException e) {
            LOG.log(Level.FINE, "checkpoint before shutdown", e);
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(START_WAIT.plusSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeAfterFailedStart(EmbeddedPostgres zonky, DataDirLock lock) {
        try {
            if (zonky != null) {
                zonky.close();
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "closing a half-started embedded PostgreSQL", e);
        }
        try {
            lock.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "releasing " + DataDirLock.FILE, e);
        }
    }

    private static ApiException cannotStart(Path dir, Exception e) {
        return new ApiException(ErrorKind.UNAVAILABLE, null, "cannot start the embedded PostgreSQL in " + dir + ": "
                + rootMessage(e), e);
    }

    private static String pids(List<ProcessHandle> processes) {
        return processes.stream().map(p -> Long.toString(p.pid())).toList().toString();
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
