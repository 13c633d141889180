package dev.campaignctl.core.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The PostgreSQL server processes of one data directory, as the operating system shows them: the
 * postmaster named in {@code postmaster.pid} and any backend left behind by a postmaster that died.
 * A process counts as the cluster's only when it runs a {@code postgres} executable with the data
 * directory as its working directory (every PostgreSQL server process changes into it), so a PID
 * recycled by an unrelated process is never signalled. That needs Linux's {@code /proc}; where it is
 * missing ({@link #SUPPORTED} false) callers leave orphans and supervision alone.
 */
final class PostgresProcesses {

    static final String PID_FILE = "postmaster.pid";
    /** Whether processes can be recognised here: a working directory is only visible in /proc. */
    static final boolean SUPPORTED = Files.exists(Path.of("/proc/self/cwd"), LinkOption.NOFOLLOW_LINKS);

    private PostgresProcesses() {
    }

    /**
     * The live postmaster that {@code postmaster.pid} names, if it really runs on {@code pgdata};
     * without /proc, whatever live process it names (only asked right after starting one).
     */
    static Optional<ProcessHandle> postmaster(Path pgdata) {
        return pidFilePid(pgdata).flatMap(ProcessHandle::of)
                .filter(process -> SUPPORTED ? runsOn(process, pgdata) : process.isAlive());
    }

    /** The first line of {@code postmaster.pid}, if the file is there and holds a PID. */
    static Optional<Long> pidFilePid(Path pgdata) {
        return pidFileLine(pgdata, 0).filter(line -> line.matches("\\d{1,10}")).map(Long::parseLong);
    }

    /** Whether the postmaster has finished starting (recovery included): "ready" on the eighth line of postmaster.pid. */
    static boolean ready(Path pgdata) {
        return pidFileLine(pgdata, 7).filter("ready"::equals).isPresent();
    }

    private static Optional<String> pidFileLine(Path pgdata, int index) {
        try {
            List<String> lines = Files.readAllLines(pgdata.resolve(PID_FILE), StandardCharsets.US_ASCII);
            return lines.size() > index ? Optional.of(lines.get(index).strip()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Every process (postmaster or backend) still running on {@code pgdata}. */
    static List<ProcessHandle> all(Path pgdata) {
        return ProcessHandle.allProcesses().filter(process -> runsOn(process, pgdata)).toList();
    }

    static boolean runsOn(ProcessHandle process, Path pgdata) {
        try {
            // A zombie or a process that has exited has no working directory any more: not running.
            Path cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "cwd"));
            return cwd.equals(pgdata.toRealPath()) && process.info().command()
                    .map(command -> Path.of(command).getFileName().toString().equals("postgres"))
                    .orElse(false);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** Waits until none of {@code processes} runs on {@code pgdata}; true if they all went in time. */
    static boolean awaitGone(Collection<ProcessHandle> processes, Path pgdata, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (processes.stream().anyMatch(process -> runsOn(process, pgdata))) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
