package dev.campaignctl.server;

import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Decimals;
import io.helidon.webserver.http.ServerRequest;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Query and path parameters, read strictly: a malformed value, or a parameter given twice, is a
 * 400 naming the parameter ({@code limit: must be a positive integer, got "abc"}), never a guess.
 * An empty value counts as absent.
 */
final class Params {

    private static final Pattern DIGITS = Pattern.compile("[1-9][0-9]{0,18}");

    private Params() {
    }

    /** The parameter's text, or null; refused past {@code maxLength} or with a control character (NUL included). */
    static String text(ServerRequest request, String name, int maxLength) {
        String value = single(request, name);
        if (value == null) {
            return null;
        }
        if (value.length() > maxLength) {
            throw ApiException.invalid(name, "must be at most " + maxLength + " characters, got " + value.length());
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.invalid(name, "must not contain control characters");
        }
        return value;
    }

    /** A positive integer of at most {@code Long.MAX_VALUE}, or null. */
    static Long positiveLong(ServerRequest request, String name) {
        String value = single(request, name);
        return value == null ? null : positiveLong(name, value);
    }

    /** A whole number, or {@code absent} when the parameter is not given. */
    static int integer(ServerRequest request, String name, int absent) {
        String value = single(request, name);
        if (value == null) {
            return absent;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw ApiException.invalid(name, "must be an integer, got " + quote(value));
        }
    }

    /** {@code true} or {@code false} (any case), or {@code absent} when not given. */
    static boolean bool(ServerRequest request, String name, boolean absent) {
        String value = single(request, name);
        if (value == null) {
            return absent;
        }
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw ApiException.invalid(name, "must be true or false, got " + quote(value));
    }

    /** The path parameter {@code id}, a positive integer. */
    static long id(ServerRequest request) {
        return positiveLong("id", request.path().pathParameters().get("id"));
    }

    /** Digits only: {@code +5}, {@code 05} and {@code 5.0} would name 5 too, and a reader should not have to guess. */
    static long positiveLong(String name, String text) {
        if (text != null && DIGITS.matcher(text).matches()) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                // Beyond Long.MAX_VALUE: refused below with the same message.
            }
        }
        throw ApiException.invalid(name, "must be a positive integer, got " + quote(String.valueOf(text)));
    }

    private static String single(ServerRequest request, String name) {
        List<String> values = request.query().all(name, List::of);
        if (values.size() > 1) {
            throw ApiException.invalid(name, "must be given once, got " + values.size() + " values");
        }
        return values.isEmpty() || values.getFirst().isEmpty() ? null : values.getFirst();
    }

    private static String quote(String value) {
        return "\"" + Decimals.prefix(value) + "\"";
    }
}
