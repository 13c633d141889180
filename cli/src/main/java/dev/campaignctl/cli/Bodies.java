package dev.campaignctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.json.Json;
import java.io.IOException;

/** Request bodies from {@code -f FILE} (JSON or YAML, {@code -} for stdin), and the options they replace. */
final class Bodies {

    private Bodies() {
    }

    /** YAML is a superset of JSON, so one parser reads both; the tree is then re-read as exact JSON. */
    static JsonNode read(String file) {
        String text = RuleCommand.read(file);
        try {
            return Json.treeFromYaml(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw ApiException.invalid(file, "is not valid JSON or YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    static void require(String option, Object value) {
        if (value == null) {
            throw new UsageException("missing required option: '" + option + "' (or give the whole body with -f FILE)");
        }
    }

    /** A command-line mistake found while running: exit code 2, like picocli's own. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
