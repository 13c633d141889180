package dev.campaignctl.cli;

import picocli.CommandLine.Option;

/**
 * {@code -o table|wide|json|yaml} (table on a terminal, JSON when piped), {@code --no-headers} and
 * {@code -q} (ids only, one per line, for xargs).
 */
public final class OutputOptions {

    /** The output formats, written in lower case on the command line. */
    public enum Format { TABLE, WIDE, JSON, YAML }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
            converter = Choices.OutputFormats.class, completionCandidates = Choices.OutputFormats.class,
            description = "Output format: ${COMPLETION-CANDIDATES} (default: table on a terminal, json otherwise).")
    Format format;

    @Option(names = "--no-headers", description = "Tables without their header line.")
    boolean noHeaders;

    @Option(names = {"-q", "--quiet"}, description = "Print only ids, one per line.")
    boolean quiet;

    public Format resolve(Cli cli) {
        if (format != null) {
            return format;
        }
        return cli.terminal() ? Format.TABLE : Format.JSON;
    }
}
