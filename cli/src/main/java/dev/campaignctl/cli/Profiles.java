package dev.campaignctl.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.campaignctl.core.config.DataDir;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Named connection profiles in {@code $XDG_CONFIG_HOME/campaignctl/config.json} (owner-only, it
 * may hold passwords): per profile a domain URL, AI URL, credentials, data directory or database.
 * A profile's values come after flags and environment variables, before the defaults.
 */
public final class Profiles {

    /** The keys a profile may set. */
    public static final List<String> KEYS = List.of("url", "ai-url", "ai-token", "username", "password", "data-dir", "db-url", "db-user",
            "cacert");
    static final String DEFAULT = "default";

    private final Path file;
    private String current = DEFAULT;
    private final Map<String, Map<String, String>> profiles = new TreeMap<>();

    private Profiles(Path file) {
        this.file = file;
    }

    public static Path file(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path dir = xdg != null && !xdg.isBlank() ? Path.of(xdg, "campaignctl")
                : DataDir.home(env).resolve(".config").resolve("campaignctl");
        return dir.resolve("config.json");
    }

    public static Profiles load(Map<String, String> env) {
        Profiles profiles = new Profiles(file(env));
        if (!Files.exists(profiles.file)) {
            return profiles;
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readAllBytes(profiles.file));
        } catch (JsonProcessingException e) {
            throw new UsageException(profiles.file + " does not parse at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root.hasNonNull("current_profile")) {
            profiles.current = root.get("current_profile").asText();
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("profiles").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            Map<String, String> values = new LinkedHashMap<>();
            entry.getValue().fields().forEachRemaining(v -> values.put(v.getKey(), v.getValue().asText()));
            profiles.profiles.put(entry.getKey(), values);
        }
        return profiles;
    }

    /**
     * The values of the profile in force: {@code --profile}, else {@code CAMPAIGNCTL_PROFILE}, else
     * the current one. Naming a profile that does not exist is an error listing those that do.
     */
    public Map<String, String> active(String flag, Map<String, String> env) {
        String requested = flag != null ? flag : env.get("CAMPAIGNCTL_PROFILE");
        String name = requested != null && !requested.isBlank() ? requested : current;
        Map<String, String> values = profiles.get(name);
        if (values == null) {
            if (requested == null && name.equals(DEFAULT)) {
                return Map.of();
            }
            throw new UsageException("no profile named '" + name + "'; profiles: "
                    + (profiles.isEmpty() ? "(none; create one with config set --profile " + name + " KEY VALUE)" : String.join(", ", profiles.keySet())));
        }
        return values;
    }

    public String current() {
        return current;
    }

    public Map<String, Map<String, String>> all() {
        return profiles;
    }

    public void set(String profile, String key, String value) {
        if (!KEYS.contains(key)) {
            throw new UsageException("unknown key '" + key + "'; keys: " + String.join(", ", KEYS));
        }
        profiles.computeIfAbsent(profile, p -> new LinkedHashMap<>()).put(key, value);
    }

    public void use(String profile) {
        if (!profiles.containsKey(profile)) {
            throw new UsageException("no profile named '" + profile + "'; profiles: " + String.join(", ", profiles.keySet()));
        }
        current = profile;
    }

    /** Writes atomically with mode 0600. */
    public void save() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("current_profile", current);
        ObjectNode all = root.putObject("profiles");
        profiles.forEach((name, values) -> {
            ObjectNode profile = all.putObject(name);
            values.forEach(profile::put);
        });
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling("config.json.tmp");
            Files.deleteIfExists(temp);
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, Json.pretty(root) + "\n");
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public Path path() {
        return file;
    }
}
