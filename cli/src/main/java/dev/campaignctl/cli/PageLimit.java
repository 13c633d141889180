package dev.campaignctl.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --limit} of the list commands: a page of 1 to 10,000 items, as the services take. Checked
 * while parsing, so a bad value is a usage error (exit 2) before any service is asked.
 */
final class PageLimit implements ITypeConverter<Integer> {

    static final int MAX = 10_000;

    @Override
    public Integer convert(String value) {
        int limit;
        try {
            limit = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("must be a whole number from 1 to " + MAX + ", got '" + value + "'");
        }
        if (limit < 1 || limit > MAX) {
            throw new TypeConversionException("must be 1 to " + MAX + ", got " + limit);
        }
        return limit;
    }
}
