package dev.campaignctl.core.db;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * An OS lock on {@code <data dir>/campaignctl.lock}, held for as long as this process owns the
 * embedded PostgreSQL of that directory. The kernel drops it when the process ends however it ends
 * (SIGKILL, the OOM killer, power loss), so whoever holds it knows every earlier owner is gone and
 * any postmaster still running on the data directory is an orphan.
 */
final class DataDirLock implements AutoCloseable {

    static final String FILE = "campaignctl.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock, or empty when another process (or another open database in this one) holds it. */
    static Optional<DataDirLock> tryAcquire(Path dir) throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve(FILE),
                StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            // Only for the message a second process prints; the lock itself is what counts.
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return Optional.of(new DataDirLock(channel, lock));
        } catch (OverlappingFileLockException e) {
            channel.close();
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The process id the holder wrote, or "unknown" while it is writing it. */
    static String holder(Path dir) {
        try {
            String pid = Files.readString(dir.resolve(FILE), StandardCharsets.US_ASCII).strip();
            return pid.matches("\\d+") ? pid : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
