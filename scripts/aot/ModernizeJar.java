import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Copies a jar, re-emitting class files older than Java 6 (version 50) as Java 8 class files with
 * stack maps, then loads and verifies every class of the copy. Used by the launcher on JDK 25+:
 * the JVM's AOT cache leaves such old classes out, and picocli (built for Java 5) is most of what a
 * short command loads. The bytecode itself is unchanged. Needs JDK 24+ (java.lang.classfile).
 *
 * <pre>{@code java scripts/aot/ModernizeJar.java IN.jar OUT.jar}</pre>
 * Exits non-zero, writing nothing, when any class cannot be converted or verified.
 */
public final class ModernizeJar {

    private static final int OLD = 50;
    private static final int TARGET = 52;

    public static void main(String[] args) throws Exception {
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        List<String> classes = new ArrayList<>();
        try {
            copy(in, partial, classes);
            verify(partial, classes);
            Files.move(partial, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private static void copy(Path in, Path partial, List<String> classes) throws IOException {
        try (URLClassLoader original = new URLClassLoader(new URL[] {in.toUri().toURL()}, null)) {
            ClassFile classFile = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                    ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                            .orElse(ClassHierarchyResolver.ofClassLoading(original))));
            try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(in));
                 ZipOutputStream copy = new ZipOutputStream(Files.newOutputStream(partial))) {
                ZipEntry entry;
                while ((entry = zip.getNextEntry()) != null) {
                    byte[] bytes = zip.readAllBytes();
                    String name = entry.getName();
                    if (name.endsWith(".class") && !name.startsWith("META-INF/") && !name.endsWith("module-info.class")) {
                        bytes = modernize(classFile, bytes);
                        classes.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
                    }
                    copy.putNextEntry(new ZipEntry(name));
                    copy.write(bytes);
                    copy.closeEntry();
                }
            }
        }
    }

    private static byte[] modernize(ClassFile classFile, byte[] bytes) {
        ClassModel model = classFile.parse(bytes);
        if (model.majorVersion() >= OLD) {
            return bytes;
        }
        // Rebuilding every method body makes the library generate its stack maps.
        ClassTransform version = (builder, element) -> {
            if (element instanceof ClassFileVersion) {
                builder.withVersion(TARGET, 0);
            } else {
                builder.with(element);
            }
        };
        return classFile.transformClass(model, ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL).andThen(version));
    }

    /** Linking runs the verifier; a class that fails it fails here, not in a user's command. */
    private static void verify(Path jar, List<String> classes) throws IOException, ClassNotFoundException {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            for (String name : classes) {
                try {
                    Class.forName(name, true, loader);
                } catch (ExceptionInInitializerError e) {
                    // Initialisation may need a running application; linking (verification) came first.
                } catch (LinkageError e) {
                    throw new IllegalStateException(name + ": " + e, e);
                }
            }
        }
    }

    private ModernizeJar() {
    }
}
