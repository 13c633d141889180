package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.campaignctl.server.AgentsService;
import dev.campaignctl.server.AiService;
import dev.campaignctl.server.DomainService;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * There is no Docker engine here, so the deployment files are checked against the code instead:
 * every command line parses with the real command tree, ports and probes name what the services
 * serve, and every environment variable is one the code reads.
 */
class DeploymentFilesTest {

    private static final Path ROOT = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."));
    private static final YAMLMapper YAML = new YAMLMapper();

    private static Path root(String file) {
        Path direct = ROOT.resolve(file);
        return Files.exists(direct) ? direct : Path.of("..").resolve(file);
    }

    private static CommandLine.ParseResult parse(List<String> args) {
        CommandLine line = CommandTree.full(new Cli(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(), false));
        return line.parseArgs(args.toArray(String[]::new));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }

    /** Every name the Java sources mention in quotes; an environment variable the code reads is among them. */
    private static String sources() {
        try (Stream<Path> files = Stream.of("core", "server", "cli").flatMap(module -> walk(root(module).resolve("src/main/java")))) {
            StringBuilder all = new StringBuilder();
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
                try {
                    all.append(Files.readString(f));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return all.toString();
        }
    }

    private static Stream<Path> walk(Path dir) {
        try {
            return Files.walk(dir).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> paths(String service) {
        return switch (service) {
            case "domain" -> DomainService.PATHS;
            case "ai" -> AiService.PATHS;
            default -> AgentsService.PATHS;
        };
    }

    /** The port a serve command line listens on: its {@code --port}, whichever service it serves. */
    private static int port(List<String> args) {
        int i = args.indexOf("--port");
        if (i < 0) {
            throw new AssertionError("no --port in " + args);
        }
        return Integer.parseInt(args.get(i + 1));
    }

    @Test
    void composeReproducesTheReferenceTopologyAndMatchesTheCode() throws Exception {
        JsonNode compose = YAML.readTree(Files.readString(root("docker-compose.yml")));
        assertThat(compose.path("networks").has("app-network")).isTrue();
        Map<String, Integer> expected = Map.of("demo-domain-api", 8000, "ai-management", 8001, "agents", 8002);
        String code = sources();
        expected.forEach((name, port) -> {
            JsonNode service = compose.path("services").path(name);
            List<String> args = strings(service.path("command"));
            assertThat(parse(args).hasSubcommand()).as(name).isTrue();
            assertThat(port(args)).as(name + " listens where the reference says").isEqualTo(port);
            assertThat(strings(service.path("ports"))).contains(port + ":" + port);
            assertThat(strings(service.path("networks"))).contains("app-network");
            String probe = strings(service.path("healthcheck").path("test")).get(1);
            Matcher url = Pattern.compile("http://localhost:(\\d+)(/\\S*)").matcher(probe);
            assertThat(url.find()).as(probe).isTrue();
            assertThat(Integer.parseInt(url.group(1))).isEqualTo(port);
            assertThat(paths(args.get(1))).contains(url.group(2));
            service.path("environment").fieldNames().forEachRemaining(env ->
                    assertThat(code).as(name + " sets " + env + ", which the code must read").contains("\"" + env + "\""));
        });
        JsonNode ai = compose.path("services").path("ai-management");
        assertThat(strings(ai.path("command"))).contains("--host", "0.0.0.0").doesNotContain("--insecure-no-token");
        assertThat(ai.path("environment").path("AI_API_TOKEN").asText()).as("the AI service's token is required from .env")
                .startsWith("${AI_API_TOKEN:?");
        assertThat(compose.path("services").path("agents").path("environment").path("AI_API_TOKEN").asText())
                .isEqualTo("${AI_API_TOKEN}");
        assertThat(compose.path("services").has("postgres")).isTrue();
        assertThat(compose.path("services").has("redis")).isTrue();
    }

    @Test
    void kubernetesManifestsMatchTheCode() throws Exception {
        List<JsonNode> documents = YAML.readValues(YAML.createParser(Files.readString(root("deploy/k8s/campaignctl.yaml"))), JsonNode.class).readAll();
        String code = sources();
        int deployments = 0;
        for (JsonNode doc : documents) {
            String kind = doc.path("kind").asText();
            JsonNode podSpec = kind.equals("CronJob") ? doc.at("/spec/jobTemplate/spec/template/spec") : doc.at("/spec/template/spec");
            for (JsonNode container : podSpec.path("containers")) {
                List<String> args = strings(container.path("args"));
                assertThat(parse(args).hasSubcommand()).as(String.join(" ", args)).isTrue();
                for (JsonNode env : container.path("env")) {
                    assertThat(code).as("env " + env.path("name").asText()).contains("\"" + env.path("name").asText() + "\"");
                }
                if (kind.equals("Deployment")) {
                    deployments++;
                    int port = port(args);
                    assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(port);
                    for (String probe : List.of("livenessProbe", "readinessProbe")) {
                        assertThat(container.at("/" + probe + "/httpGet/port").asInt()).isEqualTo(port);
                        assertThat(paths(args.get(1))).contains(container.at("/" + probe + "/httpGet/path").asText());
                    }
                    assertThat(container.path("resources").has("limits")).isTrue();
                }
            }
        }
        assertThat(deployments).isEqualTo(3);
        for (String app : List.of("ai-management", "agents")) {
            JsonNode container = documents.stream().filter(doc -> doc.path("kind").asText().equals("Deployment")
                    && doc.at("/spec/template/metadata/labels/app").asText().equals(app)).findFirst().orElseThrow()
                    .at("/spec/template/spec/containers/0");
            assertThat(strings(container.path("args"))).doesNotContain("--insecure-no-token");
            JsonNode token = null;
            for (JsonNode env : container.path("env")) {
                if (env.path("name").asText().equals("AI_API_TOKEN")) {
                    token = env;
                }
            }
            assertThat(token).as(app + " takes AI_API_TOKEN").isNotNull();
            assertThat(token.at("/valueFrom/secretKeyRef/key").asText()).as(app + ": from a secret").isEqualTo("ai-api-token");
        }
        assertThat(documents).anyMatch(doc -> doc.path("kind").asText().equals("CronJob"));
    }

    @Test
    void theDockerfileRunsTheBuiltLayoutAsANonRootUser() throws Exception {
        String dockerfile = Files.readString(root("Dockerfile"));
        assertThat(dockerfile).contains("COPY --from=build /src/cli/target/campaignctl.jar", "COPY --from=build /src/cli/target/libs");
        assertThat(dockerfile).containsPattern("(?m)^USER campaignctl$").contains("EXPOSE 8000 8001 8002");
        assertThat(parse(List.of("serve", "all")).hasSubcommand()).isTrue();
    }
}
