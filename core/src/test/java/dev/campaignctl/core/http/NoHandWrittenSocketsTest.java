package dev.campaignctl.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * HTTP and TLS are the JDK's and Helidon's: no production source of any module opens sockets or
 * speaks TLS itself ({@link HttpEndpoint} wraps the JDK's client; servers are Helidon's, or the
 * JDK's small one).
 */
class NoHandWrittenSocketsTest {

    private static final List<String> FORBIDDEN = List.of("new Socket(", "SSLSocket", "SocketChannel.open", "ServerSocket");

    @Test
    void noProductionSourceHasSocketOrTlsCodeOfItsOwn() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertThat(root.resolve("core/src/main/java")).as("run from the core module").isDirectory();
        List<Path> sources;
        try (Stream<Path> modules = Files.list(root)) {
            sources = modules.map(module -> module.resolve("src/main/java")).filter(Files::isDirectory)
                    .flatMap(NoHandWrittenSocketsTest::javaFiles).toList();
        }
        assertThat(sources).as("sources found").hasSizeGreaterThan(50);
        assertThat(sources).allSatisfy(source -> {
            String text = Files.readString(source);
            assertThat(FORBIDDEN).as(root.relativize(source).toString()).noneMatch(text::contains);
        });
    }

    private static Stream<Path> javaFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(file -> file.toString().endsWith(".java")).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
