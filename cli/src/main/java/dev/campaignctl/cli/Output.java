package dev.campaignctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.json.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Prints data to stdout as JSON or as an aligned table. Lists become one row per item with the given
 * columns; a single object becomes FIELD/VALUE rows.
 */
public final class Output {

    private static final int MAX_CELL = 60;

    private Output() {
    }

    /** True when the user asked for a machine-readable document (json, yaml) or only ids. */
    public static boolean structured(Cli cli, OutputOptions options) {
        OutputOptions.Format format = options.resolve(cli);
        return options.quiet || format == OutputOptions.Format.JSON || format == OutputOptions.Format.YAML;
    }

    public static void print(Cli cli, OutputOptions options, Object data, String... columns) {
        PrintWriter out = cli.out();
        JsonNode tree = Json.MAPPER.valueToTree(data);
        if (options.quiet) {
            ids(out, tree);
            out.flush();
            return;
        }
        switch (options.resolve(cli)) {
            case JSON -> out.println(Json.pretty(tree));
            case YAML -> out.print(Json.yaml(tree));
            case WIDE -> {
                if (tree.isArray()) {
                    table(out, tree, allColumns(tree), !options.noHeaders);
                } else {
                    fields(out, tree);
                }
            }
            case TABLE -> {
                if (tree.isArray()) {
                    table(out, tree, columns, !options.noHeaders);
                } else {
                    fields(out, tree);
                }
            }
        }
        out.flush();
    }

    static void ids(PrintWriter out, JsonNode tree) {
        if (tree.isArray()) {
            tree.forEach(row -> ids(out, row));
            return;
        }
        JsonNode id = tree.has("id") ? tree.get("id") : tree.has("run_id") ? tree.get("run_id") : tree.path("campaign").path("id");
        if (!id.isMissingNode() && !id.isNull()) {
            out.println(id.asText());
        }
    }

    static String[] allColumns(JsonNode rows) {
        List<String> names = new ArrayList<>();
        if (!rows.isEmpty()) {
            rows.get(0).fieldNames().forEachRemaining(names::add);
        }
        return names.toArray(String[]::new);
    }

    private static void table(PrintWriter out, JsonNode rows, String[] columns, boolean headers) {
        List<String[]> lines = new ArrayList<>();
        String[] header = new String[columns.length];
        for (int i = 0; i < columns.length; i++) {
            header[i] = columns[i].toUpperCase();
        }
        if (headers) {
            lines.add(header);
        }
        for (JsonNode row : rows) {
            String[] line = new String[columns.length];
            for (int i = 0; i < columns.length; i++) {
                line[i] = cell(row.get(columns[i]));
            }
            lines.add(line);
        }
        if (lines.isEmpty()) {
            return;
        }
        int[] widths = new int[columns.length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (String[] line : lines) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                text.append(i == line.length - 1 ? line[i] : pad(line[i], widths[i] + 2));
            }
            out.println(text.toString().stripTrailing());
        }
    }

    private static void fields(PrintWriter out, JsonNode object) {
        int width = 0;
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            width = Math.max(width, names.next().length());
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            JsonNode value = object.get(name);
            if (value.isArray() && !value.isEmpty() && value.get(0).isObject()) {
                out.println(pad(name.toUpperCase(), width + 2) + value.size() + " item(s)");
                for (JsonNode item : value) {
                    out.println("  - " + Json.write(item));
                }
            } else {
                out.println(pad(name.toUpperCase(), width + 2) + cell(value));
            }
        }
    }

    static String cell(JsonNode value) {
        if (value == null || value.isNull()) {
            return "-";
        }
        String text = value.isValueNode() ? value.asText() : Json.write(value);
        return text.length() > MAX_CELL ? text.substring(0, MAX_CELL - 1) + "…" : text;
    }

    static String pad(String text, int width) {
        return text.length() >= width ? text + " " : text + " ".repeat(width - text.length());
    }
}
