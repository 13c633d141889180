package dev.campaignctl.core.api;

import java.util.Locale;

/**
 * Reads a {@code Link} header (RFC 8288): {@code <…>; rel="next", <…>; rel="prev"}. Link values are
 * separated by commas outside {@code <…>} and quoted strings; {@code rel} may hold several
 * space-separated relation types and may be quoted or not.
 */
final class Links {

    private Links() {
    }

    /** The target of the first link whose relation types include {@code next}, or null. */
    static String next(String header) {
        if (header == null) {
            return null;
        }
        int i = 0;
        int n = header.length();
        while (i < n) {
            int open = header.indexOf('<', i);
            if (open < 0) {
                return null;
            }
            int close = header.indexOf('>', open);
            if (close < 0) {
                return null;
            }
            int end = endOfValue(header, close + 1);
            if (isNext(header.substring(close + 1, end))) {
                return header.substring(open + 1, close).strip();
            }
            i = end + 1;
        }
        return null;
    }

    /** Where the link value whose parameters start at {@code from} ends: the next comma outside quotes. */
    private static int endOfValue(String header, int from) {
        boolean quoted = false;
        for (int i = from; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                return i;
            }
        }
        return header.length();
    }

    private static boolean isNext(String params) {
        for (String param : params.split(";")) {
            int eq = param.indexOf('=');
            if (eq < 0 || !param.substring(0, eq).strip().equalsIgnoreCase("rel")) {
                continue;
            }
            String value = param.substring(eq + 1).strip();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            for (String type : value.strip().split("\\s+")) {
                if (type.toLowerCase(Locale.ROOT).equals("next")) {
                    return true;
                }
            }
            // Only the first rel parameter counts (RFC 8288, 3.3).
            return false;
        }
        return false;
    }

    /** The {@code starting_after} of a link's query, or null when it has none a reader can trust. */
    static Long startingAfter(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String pair : pathAndQuery.substring(q + 1).split("&")) {
            if (pair.startsWith("starting_after=")) {
                try {
                    return Long.parseLong(pair.substring("starting_after=".length()));
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
