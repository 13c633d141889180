package dev.campaignctl.cli;

import dev.campaignctl.core.http.HttpEndpoint;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The {@code campaignctl} binary: what the process needs around one run of the command tree
 * ({@link CommandTree}), whose failures {@link ExitMapping} turns into exit codes.
 *
 * <pre>{@code
 * int code = Main.run(out, err, System.getenv(), "campaign", "list", "-o", "json");
 * }</pre>
 */
public final class Main {

    static {
        // picocli looks for Groovy's Closure class when it starts; on a class path of some eighty
        // jars a class that is in none of them costs a fifth of a short command's start.
        if (System.getProperty("picocli.disable.closures") == null) {
            System.setProperty("picocli.disable.closures", "true");
        }
    }

    private Main() {
    }

    public static void main(String[] args) {
        LoggingDefaults.install();
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = run(new Cli(out, err, System.getenv(), stdoutIsTerminal()), args);
        out.flush();
        err.flush();
        HttpEndpoint.shutdownAll();
        if (code == ExitCodes.OK && onlyDaemonsLeft()) {
            // The JVM ends with 0 when main returns. System.exit would look up a logger to report
            // the exit, and finding the logging back end searches every jar on the class path.
            return;
        }
        System.exit(code);
    }

    /** Runs one command line against the given streams and environment; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
        return run(new Cli(out, err, env, false), args);
    }

    /** Runs one command line, building only the part of the tree it needs. */
    static int run(Cli cli, String... args) {
        return CommandTree.forArgs(cli, args).execute(args);
    }

    /** Whether every live platform thread but this one is a daemon (virtual threads always are). */
    private static boolean onlyDaemonsLeft() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int count = root.enumerate(threads, true);
        for (int i = 0; i < count; i++) {
            Thread thread = threads[i];
            if (thread != Thread.currentThread() && thread.isAlive() && !thread.isDaemon()) {
                return false;
            }
        }
        return count < threads.length;
    }

    /**
     * JDK 21 has no console when a stream is redirected; JDK 22+ always has one and says through
     * {@code Console.isTerminal()}, which is looked up reflectively to keep --release 21.
     */
    private static boolean stdoutIsTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
