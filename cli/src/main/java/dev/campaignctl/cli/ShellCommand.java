package dev.campaignctl.cli;

import dev.campaignctl.core.config.DataDir;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.reader.impl.completer.SystemCompleter;
import org.jline.reader.impl.history.DefaultHistory;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.shell.jline3.PicocliCommands;

/**
 * {@code campaignctl shell}: the same command tree, interactively (JLine3). History is kept in
 * the state directory, Tab completes commands, options and known values, Ctrl-C cancels the line,
 * Ctrl-D or {@code exit} leaves, and an error never ends the shell. Connections opened by one
 * command stay open for the next.
 */
@Command(name = "shell", description = "Interactive shell with history and completion; the same commands, without the prefix.")
final class ShellCommand implements Callable<Integer> {

    static final String PROMPT = "campaignctl> ";

    private final Cli cli;

    ShellCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().name("campaignctl").system(true).build()) {
            return run(terminal, cli);
        }
    }

    /** Runs the shell on any terminal; tests pass a dumb one over their own streams. */
    static int run(InputStream in, OutputStream out, Cli base) throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(false).streams(in, out).type(Terminal.TYPE_DUMB).build()) {
            terminal.echo(false);
            return run(terminal, base);
        }
    }

    private static int run(Terminal terminal, Cli base) throws IOException {
        PrintWriter writer = terminal.writer();
        try (Sessions sessions = new Sessions()) {
            Cli shellCli = new Cli(writer, writer, base.env(), !"dumb".equals(terminal.getType()), sessions);
            CommandLine completions = CommandTree.full(shellCli);
            Path history = historyFile(base);
            // A SystemCompleter completes nothing until compiled (JLine's SystemRegistry does it; we use none).
            SystemCompleter completer = new PicocliCommands(completions).compileCompleters();
            completer.compile();
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("campaignctl")
                    .completer(completer)
                    .parser(new DefaultParser())
                    .variable(LineReader.HISTORY_FILE, history)
                    .history(new SecretFreeHistory())
                    .build();
            writer.println("campaignctl shell — type a command (help lists them), exit or Ctrl-D to leave");
            while (true) {
                String line;
                try {
                    line = reader.readLine(PROMPT);
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    break;
                }
                String trimmed = line.trim();
                if (trimmed.isEmpty()) {
                    continue;
                }
                if (trimmed.equals("exit") || trimmed.equals("quit")) {
                    break;
                }
                String[] words = reader.getParsedLine().words().stream().filter(w -> !w.isEmpty()).toArray(String[]::new);
                if (words.length > 0 && words[0].equals("shell")) {
                    writer.println("already in the shell");
                    continue;
                }
                CommandTree.full(CommandTree.withGlobalFlags(shellCli, words)).execute(words);
                writer.flush();
            }
            reader.getHistory().save();
        }
        return ExitCodes.OK;
    }

    /** A line that sets or carries a secret: never written to the history file. */
    private static final Pattern SECRET = Pattern.compile("(?i)pass(word|wd)?\\b|token|secret|api[-_]?key|authorization|--key\\b");

    static boolean holdsSecret(String line) {
        return SECRET.matcher(line).find();
    }

    /** History that leaves out lines holding a secret ({@code config set password ...}). */
    private static final class SecretFreeHistory extends DefaultHistory {
        @Override
        public void add(Instant time, String line) {
            if (!holdsSecret(line)) {
                super.add(time, line);
            }
        }
    }

    /**
     * {@code $XDG_STATE_HOME/campaignctl/history}, else {@code ~/.local/state/campaignctl/history}:
     * owner-only (0600 in a 0700 directory) whatever the umask, also when an older version made it
     * readable to others.
     */
    static Path historyFile(Cli cli) throws IOException {
        String state = cli.env("XDG_STATE_HOME");
        Path dir = state != null ? Path.of(state, "campaignctl")
                : DataDir.home(cli.env()).resolve(".local").resolve("state").resolve("campaignctl");
        Files.createDirectories(dir);
        Path history = dir.resolve("history");
        if (Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            if (Files.notExists(history)) {
                Files.createFile(history, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.setPosixFilePermissions(history, PosixFilePermissions.fromString("rw-------"));
        }
        return history;
    }
}
