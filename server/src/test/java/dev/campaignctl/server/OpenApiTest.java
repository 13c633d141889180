package dev.campaignctl.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Each service's OpenAPI document passes a real OpenAPI 3 validator (swagger-parser), and its
 * operations are exactly the routes the service's own routing registers — read from the routing,
 * not from a list kept by hand — which are also the templates used for 405s and metric labels.
 */
class OpenApiTest {

    private static final Map<String, HttpService> SERVICES = Map.of(
            "domain", new DomainService(null), "ai", new AiService(null), "agents", new AgentsService(null, null));
    private static final Map<String, java.util.List<String>> TEMPLATES = Map.of(
            "domain", DomainService.PATHS, "ai", AiService.PATHS, "agents", AgentsService.PATHS);
    private static final Set<String> VERBS = Set.of("get", "post", "put", "patch", "delete");

    /** "METHOD /path" of every route {@code service} registers, recorded by calling its routing. */
    private static Set<String> routes(HttpService service) {
        Set<String> routes = new TreeSet<>();
        HttpRules[] rules = new HttpRules[1];
        rules[0] = (HttpRules) Proxy.newProxyInstance(HttpRules.class.getClassLoader(), new Class<?>[] {HttpRules.class},
                (proxy, method, args) -> {
                    if (VERBS.contains(method.getName()) && args != null && args.length == 2 && args[0] instanceof String path) {
                        routes.add(method.getName().toUpperCase(Locale.ROOT) + " " + path);
                        return rules[0];
                    }
                    throw new AssertionError("the routing used " + method + ", which this test cannot read");
                });
        service.routing(rules[0]);
        return routes;
    }

    /** "METHOD /path" of every operation the document describes. */
    private static Set<String> documented(JsonNode spec) {
        Set<String> operations = new TreeSet<>();
        spec.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(verb -> {
            if (VERBS.contains(verb)) {
                operations.add(verb.toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }));
        return operations;
    }

    @Test
    void everyDocumentIsValidOpenApi3() {
        for (String service : SERVICES.keySet()) {
            ParseOptions options = new ParseOptions();
            options.setResolve(true);
            SwaggerParseResult result = new OpenAPIParser().readContents(
                    new String(Servers.openapi(service), StandardCharsets.UTF_8), null, options);
            assertThat(result.getMessages()).as(service).isEmpty();
            assertThat(result.getOpenAPI().getOpenapi()).startsWith("3.");
            var api = result.getOpenAPI();
            api.getPaths().forEach((path, item) -> item.readOperations().forEach(operation -> {
                assertThat(operation.getSummary()).as(service + " " + path).isNotBlank();
                operation.getResponses().forEach((status, response) -> {
                    // A response is described in place or by a $ref to a described component.
                    var described = response.get$ref() == null ? response : api.getComponents().getResponses()
                            .get(response.get$ref().substring(response.get$ref().lastIndexOf('/') + 1));
                    assertThat(described).as(service + " " + path + " " + status + " " + response.get$ref()).isNotNull();
                    assertThat(described.getDescription()).as(service + " " + path + " " + status).isNotBlank();
                });
            }));
        }
    }

    @Test
    void documentedOperationsAreExactlyTheRoutesTheRoutingServes() throws Exception {
        for (var service : SERVICES.entrySet()) {
            Set<String> served = routes(service.getValue());
            JsonNode spec = new YAMLMapper().readTree(Servers.openapi(service.getKey()));
            assertThat(documented(spec)).as(service.getKey()).isEqualTo(served);
            Set<String> servedPaths = new TreeSet<>();
            served.forEach(route -> servedPaths.add(route.substring(route.indexOf(' ') + 1)));
            assertThat(new TreeSet<>(TEMPLATES.get(service.getKey()))).as(service.getKey() + " templates")
                    .isEqualTo(servedPaths);
        }
    }

    @Test
    void theDocumentIsServedWithoutCredentials() {
        try (DomainServer server = DomainServer.start("127.0.0.1", 0, null,
                new dev.campaignctl.core.config.Authenticator("admin", dev.campaignctl.core.config.PasswordHash.hash("x")))) {
            TestClient.Reply reply = new TestClient(server.port(), null, null).get("/openapi");
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("Content-Type")).startsWith("application/yaml");
            assertThat(reply.raw().body()).contains("/events/{id}", "campaignctl domain service");
        }
    }
}
