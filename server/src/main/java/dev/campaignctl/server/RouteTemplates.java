package dev.campaignctl.server;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A service's path templates ({@code /campaigns/{id}/rules}) and the template a concrete path
 * falls under: the metric label of a request, so a client sending random paths or ids adds no
 * series (every path outside the templates shares {@value #UNMATCHED}), and the 405-versus-404
 * decision.
 */
final class RouteTemplates {

    static final String UNMATCHED = "unmatched";
    /** Methods kept as metric labels; any other method a client invents is counted as {@code other}. */
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

    private record Template(String text, Pattern pattern) {
    }

    private final List<Template> templates;

    RouteTemplates(List<String> paths) {
        this.templates = Stream.concat(paths.stream(), Stream.of("/metrics", "/openapi"))
                .map(path -> new Template(path, Pattern.compile(path.replaceAll("\\{[^/]+}", "[^/]+"))))
                .toList();
    }

    /** The template {@code path} matches, or {@value #UNMATCHED}. */
    String of(String path) {
        for (Template template : templates) {
            if (template.pattern().matcher(path).matches()) {
                return template.text();
            }
        }
        return UNMATCHED;
    }

    boolean known(String path) {
        return !of(path).equals(UNMATCHED);
    }

    static String method(String method) {
        return METHODS.contains(method) ? method : "other";
    }
}
