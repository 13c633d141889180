package dev.campaignctl.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.campaignctl.core.api.Page;
import dev.campaignctl.core.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * Prints a list: its first page as {@link Output} does, or with {@code --all} every page, each
 * written as it arrives so memory holds one page whatever the list's length. A remote list is
 * walked by its {@code Link: <…>; rel="next"} headers, an in-process one by the same cursor.
 *
 * <p>Streamed, {@code -o json} is one JSON array (the same text as for one page), {@code -o yaml}
 * one sequence, {@code -q} ids, and a table keeps the first page's columns and header; a column
 * only widens, when a later page holds a longer cell. A failure on a later page leaves what was
 * printed and ends the command with its error (the JSON array then unclosed: the exit code says so).
 */
final class PagedOutput {

    private PagedOutput() {
    }

    static void print(Cli cli, OutputOptions options, Page<?> first, boolean all, String... columns) {
        if (!all) {
            Output.print(cli, options, first.items(), columns);
            return;
        }
        Sink sink = sink(cli, options, columns);
        for (Page<?> page = first; ; page = page.next()) {
            sink.page(Json.MAPPER.valueToTree(page.items()));
            cli.out().flush();
            if (!page.hasNext()) {
                break;
            }
        }
        sink.end();
        cli.out().flush();
    }

    /** Where pages go, in one output format. */
    private interface Sink {
        void page(ArrayNode rows);

        default void end() {
        }
    }

    private static Sink sink(Cli cli, OutputOptions options, String[] columns) {
        PrintWriter out = cli.out();
        if (options.quiet) {
            return rows -> Output.ids(out, rows);
        }
        return switch (options.resolve(cli)) {
            case JSON -> new JsonArray(out);
            case YAML -> new YamlSequence(out);
            case WIDE -> new Table(out, null, !options.noHeaders);
            case TABLE -> new Table(out, columns, !options.noHeaders);
        };
    }

    /** One pretty-printed JSON array, item by item. */
    private static final class JsonArray implements Sink {
        private final PrintWriter out;
        private final JsonGenerator json;

        JsonArray(PrintWriter out) {
            this.out = out;
            try {
                json = Json.MAPPER.writerWithDefaultPrettyPrinter().createGenerator(out)
                        .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                json.writeStartArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void page(ArrayNode rows) {
            try {
                for (JsonNode row : rows) {
                    json.writeTree(row);
                }
                json.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void end() {
            try {
                json.writeEndArray();
                json.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.println();
        }
    }

    /** One YAML sequence: each page's items appended to it, without a second document marker. */
    private static final class YamlSequence implements Sink {
        private final PrintWriter out;
        private boolean started;

        YamlSequence(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void page(ArrayNode rows) {
            if (rows.isEmpty()) {
                return;
            }
            String text = Json.yaml(rows);
            out.print(started && text.startsWith("---\n") ? text.substring(4) : text);
            started = true;
        }

        @Override
        public void end() {
            if (!started) {
                out.print(Json.yaml(Json.MAPPER.createArrayNode()));
            }
        }
    }

    /** An aligned table, the header once; {@code -o wide} takes its columns from the first item. */
    private static final class Table implements Sink {
        private final PrintWriter out;
        private final boolean headers;
        private String[] columns;
        private int[] widths;

        Table(PrintWriter out, String[] columns, boolean headers) {
            this.out = out;
            this.columns = columns;
            this.headers = headers;
        }

        @Override
        public void page(ArrayNode rows) {
            if (columns == null) {
                if (rows.isEmpty()) {
                    return;
                }
                columns = Output.allColumns(rows);
            }
            String[][] lines = new String[rows.size()][];
            for (int r = 0; r < rows.size(); r++) {
                lines[r] = new String[columns.length];
                for (int i = 0; i < columns.length; i++) {
                    lines[r][i] = Output.cell(rows.get(r).get(columns[i]));
                }
            }
            boolean first = widths == null;
            if (first) {
                widths = new int[columns.length];
                if (headers) {
                    for (int i = 0; i < columns.length; i++) {
                        widths[i] = columns[i].length();
                    }
                }
            }
            for (String[] line : lines) {
                for (int i = 0; i < line.length; i++) {
                    widths[i] = Math.max(widths[i], line[i].length());
                }
            }
            if (first && headers) {
                String[] header = new String[columns.length];
                for (int i = 0; i < columns.length; i++) {
                    header[i] = columns[i].toUpperCase();
                }
                line(header);
            }
            for (String[] line : lines) {
                line(line);
            }
        }

        private void line(String[] cells) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                text.append(i == cells.length - 1 ? cells[i] : Output.pad(cells[i], widths[i] + 2));
            }
            out.println(text.toString().stripTrailing());
        }
    }
}
