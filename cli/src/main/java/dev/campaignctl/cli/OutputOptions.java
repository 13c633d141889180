package dev.campaignctl.cli;

import picocli.CommandLine.Option;

/** {@code -o table|json}: table by default on a terminal, JSON when piped. */
public final class OutputOptions {

    /** The output formats. */
    public enum Format { table, json }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: table on a terminal, json otherwise).")
    Format format;

    public Format resolve(Cli cli) {
        if (format != null) {
            return format;
        }
        return cli.terminal() ? Format.table : Format.json;
    }
}
