package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's picocli copy for the AOT cache (scripts/aot/ModernizeJar.java): no class file in it
 * is older than Java 6 any more, and the copy still runs a command line. Needs JDK 24+.
 */
class ModernizeJarTest {

    @Test
    void theCopyHasNoOldClassFilesAndStillParsesAndPrintsHelp(@TempDir Path dir) throws Exception {
        assumeTrue(Runtime.version().feature() >= 24, "java.lang.classfile needs JDK 24+");
        Path picocli = Path.of(picocli.CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path copy = dir.resolve("picocli.jar");
        Path tool = tool();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolve("tool.log");

        Process process = new ProcessBuilder(java, tool.toString(), picocli.toString(), copy.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("ModernizeJar did not finish within 180 s");
        }
        assertThat(process.exitValue()).as(Files.readString(log)).isZero();

        int classes = 0;
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(copy))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                if (entry.getName().endsWith(".class") && !entry.getName().contains("module-info")) {
                    DataInputStream in = new DataInputStream(zip);
                    assertThat(in.readInt()).isEqualTo(0xCAFEBABE);
                    in.readUnsignedShort();
                    assertThat(in.readUnsignedShort()).as(entry.getName()).isGreaterThanOrEqualTo(50);
                    classes++;
                }
            }
        }
        assertThat(classes).isGreaterThan(100);

        try (URLClassLoader loader = new URLClassLoader(new URL[] {copy.toUri().toURL()}, null)) {
            Class<?> commandLine = Class.forName("picocli.CommandLine", true, loader);
            Object spec = Class.forName("picocli.CommandLine$Model$CommandSpec", true, loader).getMethod("create").invoke(null);
            Object line = commandLine.getConstructor(Object.class).newInstance(spec);
            Class<?> ansi = Class.forName("picocli.CommandLine$Help$Ansi", true, loader);
            Object off = ansi.getField("OFF").get(null);
            String usage = (String) commandLine.getMethod("getUsageMessage", ansi).invoke(line, off);
            assertThat(usage).startsWith("Usage: <main class>");
        }
        assertThat(Files.exists(dir.resolve("picocli.jar.partial"))).isFalse();
    }

    /** The script, found upwards from the working directory (the module's, or the project's). */
    private static Path tool() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            Path candidate = at.resolve("scripts/aot/ModernizeJar.java");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("scripts/aot/ModernizeJar.java not found above " + Path.of("").toAbsolutePath());
    }
}
