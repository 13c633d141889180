package dev.campaignctl.core.secrets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Set;

/** Generated passwords and the owner-only files that keep them (API credentials, the embedded database's password). */
public final class Secrets {

    /** Letters and digits that cannot be mistaken for one another, and need no quoting anywhere. */
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    /** Seeded on first use: reading a secret, what every CLI call does, needs no randomness. */
    private static final class Random {
        static final SecureRandom INSTANCE = new SecureRandom();
    }

    private Secrets() {
    }

    public static String randomPassword(int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(ALPHABET.charAt(Random.INSTANCE.nextInt(ALPHABET.length())));
        }
        return out.toString();
    }

    /** Whether {@code text} could have come from {@link #randomPassword}. */
    public static boolean isGenerated(String text) {
        return !text.isEmpty() && text.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0);
    }

    /**
     * Writes {@code content} to {@code file}, readable by its owner only, replacing it in one step.
     * The bytes, the rename and any directory created for it are on disk when this returns: a
     * password the database was just given must not vanish in a power loss while the cluster keeps it.
     */
    public static void writeOwnerOnly(Path file, String content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        createDirectoriesDurably(dir);
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try (FileChannel channel = FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                OWNER_ONLY)) {
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(content);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(dir);
    }

    /** Creates the missing directories of {@code dir}, each one's entry synced in its parent. */
    private static void createDirectoriesDurably(Path dir) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path d = dir; d != null && !Files.isDirectory(d); d = d.getParent()) {
            missing.push(d);
        }
        while (!missing.isEmpty()) {
            Path created = missing.pop();
            Files.createDirectories(created);
            syncDirectory(created.getParent());
        }
    }

    /** Makes the directory's entries (a created or renamed file) durable; Linux syncs a directory opened for reading. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
