package dev.campaignctl.server;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code <data dir>/server.properties}: where a running {@code campaignctl serve} listens, so a CLI
 * on the same data directory talks to it instead of opening the (then locked) embedded database.
 */
public final class ServerState {

    private final Path file;

    public ServerState(Path dataDir) {
        this.file = dataDir.resolve("server.properties");
    }

    /**
     * @param domainUrl   the domain service's URL, or null when this process does not serve it
     * @param aiUrl       the AI service's URL, or null
     * @param agentsUrl   the agents service's URL, or null
     * @param databaseUrl the embedded database's JDBC URL, so one-shot processors can share it; null if external
     */
    public void write(String domainUrl, String aiUrl, String agentsUrl, String databaseUrl) {
        Properties props = new Properties();
        if (domainUrl != null) {
            props.setProperty("domain.url", domainUrl);
        }
        if (aiUrl != null) {
            props.setProperty("ai.url", aiUrl);
        }
        if (agentsUrl != null) {
            props.setProperty("agents.url", agentsUrl);
        }
        if (databaseUrl != null) {
            props.setProperty("db.url", databaseUrl);
        }
        props.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling("server.properties.tmp");
            try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                props.store(writer, "written by campaignctl serve; removed when it stops");
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The running server's domain URL, if its process is still alive. */
    public Optional<String> domainUrl() {
        return live().map(props -> props.getProperty("domain.url"));
    }

    /** The running server's AI service URL, if it serves one and is still alive. */
    public Optional<String> aiUrl() {
        return live().map(props -> props.getProperty("ai.url"));
    }

    /** The running server's embedded database URL, if it runs one and is still alive. */
    public Optional<String> databaseUrl() {
        return live().map(props -> props.getProperty("db.url"));
    }

    private Optional<Properties> live() {
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            return Optional.empty();
        }
        String pid = props.getProperty("pid", "");
        boolean alive = pid.matches("\\d+") && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        return alive ? Optional.of(props) : Optional.empty();
    }

    public void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A stale file is harmless: readers check that its process is alive.
        }
    }
}
