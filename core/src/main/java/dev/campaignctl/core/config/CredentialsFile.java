package dev.campaignctl.core.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.Properties;

/**
 * The generated API credentials of an embedded installation, kept in {@code <data dir>/credentials}
 * with owner-only permissions (0600) so the CLI of the same user finds them and nobody else reads them.
 */
public final class CredentialsFile {

    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    /** Seeded on first use: reading credentials, what every CLI call does, needs no randomness. */
    private static final class Random {
        static final SecureRandom INSTANCE = new SecureRandom();
    }

    private final Path file;

    public CredentialsFile(Path dataDir) {
        this.file = dataDir.resolve("credentials");
    }

    public Path path() {
        return file;
    }

    public Optional<Credentials> read() {
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String user = props.getProperty("username");
        String password = props.getProperty("password");
        return user == null || password == null ? Optional.empty() : Optional.of(new Credentials(user, password));
    }

    /** The stored credentials, or new ones (random 24-character password) written first. */
    public Credentials readOrCreate(String username) {
        return read().orElseGet(() -> write(new Credentials(username, randomPassword())));
    }

    public Credentials write(Credentials credentials) {
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling("credentials.tmp");
            Files.deleteIfExists(temp);
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Properties props = new Properties();
            props.setProperty("username", credentials.username());
            props.setProperty("password", credentials.password());
            try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8, StandardOpenOption.WRITE)) {
                props.store(writer, "campaignctl API credentials (generated; keep private)");
            }
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return credentials;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static String randomPassword() {
        StringBuilder out = new StringBuilder(24);
        for (int i = 0; i < 24; i++) {
            out.append(ALPHABET.charAt(Random.INSTANCE.nextInt(ALPHABET.length())));
        }
        return out.toString();
    }
}
