package dev.campaignctl.core.config;

import dev.campaignctl.core.secrets.Secrets;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * The generated API credentials of an embedded installation, kept in {@code <data dir>/credentials}
 * with owner-only permissions (0600) so the CLI of the same user finds them and nobody else reads them.
 */
public final class CredentialsFile {

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
        return read().orElseGet(() -> write(new Credentials(username, Secrets.randomPassword(24))));
    }

    public Credentials write(Credentials credentials) {
        Properties props = new Properties();
        props.setProperty("username", credentials.username());
        props.setProperty("password", credentials.password());
        StringWriter text = new StringWriter();
        try {
            props.store(text, "campaignctl API credentials (generated; keep private)");
            Secrets.writeOwnerOnly(file, text.toString());
            return credentials;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
