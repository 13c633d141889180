package dev.campaignctl.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time from {@code /proc}, in clock ticks (1/100 s): this JVM's, and every running
 * {@code postgres} process's together (the embedded server and its backends). Benches print what a
 * phase cost both, which varies far less between runs than the latency the phase measured.
 */
final class ProcCpu {

    private ProcCpu() {
    }

    /** {this JVM, PostgreSQL} in ticks; {0, 0} where there is no /proc. */
    static long[] ticks() {
        long jvm = ticks(Path.of("/proc/self/stat"));
        long postgres = 0;
        try (var processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    if (Files.readString(process.resolve("comm")).trim().equals("postgres")) {
                        postgres += ticks(process.resolve("stat"));
                    }
                } catch (IOException gone) {
                    // The process ended while we looked.
                }
            }
        } catch (IOException | UncheckedIOException noProc) {
            return new long[] {0, 0};
        }
        return new long[] {jvm, postgres};
    }

    private static long ticks(Path stat) {
        try {
            String text = Files.readString(stat);
            String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
            // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
