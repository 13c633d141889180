package dev.campaignctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** One CLI invocation through {@code Main.run}: its exit code, stdout and stderr. */
record CliRun(int code, String out, String err) {

    static CliRun run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), env, args);
        return new CliRun(code, out.toString(), err.toString());
    }

    JsonNode json() {
        return Json.tree(out);
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
