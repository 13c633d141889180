package dev.campaignctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Request bodies from {@code -f FILE} (JSON or YAML, {@code -} for stdin), and the options they replace. */
final class Bodies {

    private Bodies() {
    }

    /** YAML is a superset of JSON, so one parser reads both; the tree is then re-read as exact JSON. */
    static JsonNode read(String file) {
        String text = RuleCommand.read(file);
        try {
            return Json.treeFromYaml(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw ApiException.invalid(file, "is not valid JSON or YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** An option that is required unless the body comes from {@code -f}: a mistake on {@code command}'s line when missing. */
    static void require(CommandSpec command, String option, Object value) {
        if (value == null) {
            throw new ParameterException(command.commandLine(),
                    "missing required option: '" + option + "' (or give the whole body with -f FILE)");
        }
    }
}
