package dev.campaignctl.core.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One PostgreSQL installation's {@code pg_ctl}, run to start or stop a cluster and waited for.
 * As root it runs in a new user namespace ({@code unshare -U}), as zonky runs it, because the
 * PostgreSQL server refuses to run as root.
 *
 * <pre>{@code
 * new PgCtl(binDir).stop(pgdata, PgCtl.StopMode.FAST, Duration.ofSeconds(60));
 * }</pre>
 */
final class PgCtl {

    /** pg_ctl's shutdown modes we use: fast (roll back sessions, checkpoint) and immediate (crash-like, recovered at start). */
    enum StopMode { FAST, IMMEDIATE }

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final Path executable;

    PgCtl(Path binDir) {
        this.executable = binDir.resolve("pg_ctl");
    }

    /** The pg_ctl of the installation a running {@code postgres} process was started from, if it is still there. */
    static Optional<PgCtl> of(ProcessHandle postgres) {
        return postgres.info().command()
                .map(command -> Path.of(command).getParent())
                .filter(bin -> bin != null && Files.isExecutable(bin.resolve("pg_ctl")))
                .map(PgCtl::new);
    }

    /** Starts the cluster and waits until it accepts connections (crash recovery included) or fails. */
    void start(Path pgdata, List<String> serverOptions, Path logFile, Duration wait) throws IOException {
        // -l: the server's output goes to the file, so it never holds our pipe open after pg_ctl exits.
        run("start", List.of("-D", pgdata.toString(), "-l", logFile.toString(), "-o", String.join(" ", serverOptions),
                "-w", "-t", seconds(wait), "start"));
    }

    /** Stops the cluster and waits until its postmaster has exited. */
    void stop(Path pgdata, StopMode mode, Duration wait) throws IOException {
        run("stop", List.of("-D", pgdata.toString(), "-m", mode.name().toLowerCase(Locale.ROOT), "-w", "-t", seconds(wait), "stop"));
    }

    private void run(String action, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        if (ROOT) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.add(executable.toString());
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        int exit = waitFor(process);
        if (exit != 0) {
            throw new IOException("pg_ctl " + action + " failed (exit " + exit + "): " + output.replace('\n', ' '));
        }
    }

    /** pg_ctl bounds its own wait (-t); stopping halfway would leave a server half started or half stopped. */
    private static int waitFor(Process process) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return process.waitFor();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String seconds(Duration wait) {
        return Long.toString(Math.max(1, wait.toSeconds()));
    }
}
