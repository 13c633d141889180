package dev.campaignctl.core.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/** Generated passwords and the owner-only files that keep them (API credentials, the embedded database's password). */
public final class Secrets {

    /** Letters and digits that cannot be mistaken for one another, and need no quoting anywhere. */
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

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

    /** Writes {@code content} to {@code file}, readable by its owner only, replacing it in one step. */
    public static void writeOwnerOnly(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
