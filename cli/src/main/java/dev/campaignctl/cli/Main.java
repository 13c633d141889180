package dev.campaignctl.cli;

import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.api.Version;
import dev.campaignctl.core.http.HttpEndpoint;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code campaignctl} binary.
 *
 * <pre>{@code
 * int code = Main.run(out, err, System.getenv(), "campaign", "list", "-o", "json");
 * }</pre>
 */
@Command(name = "campaignctl",
        // The footer and version provider go to every command, as do the options below.
        scope = picocli.CommandLine.ScopeType.INHERIT,
        versionProvider = Main.VersionProvider.class,
        description = "Loyalty campaigns and event processing: run the services, manage campaigns and rules, register events.",
        footer = {"", "Exit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 auth, 5 unavailable, 6 conflict, 7 invalid input."})
public final class Main {

    @picocli.CommandLine.Option(names = "--profile", paramLabel = "NAME", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Connection profile to use (env CAMPAIGNCTL_PROFILE; see config).")
    String profile;

    // Read before parsing, as --profile is (see globalFlag); declared so that picocli accepts it anywhere.
    @picocli.CommandLine.Option(names = "--cacert", paramLabel = "FILE", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "PEM file of the CA(s) an https service's certificate must chain to, instead of the JVM's"
                    + " (env CAMPAIGNCTL_CACERT, profile key cacert).")
    String cacert;

    // -h/--help and -V/--version on every command, as in `campaignctl serve --help`. Declared here
    // rather than with mixinStandardHelpOptions, which picocli re-creates by reflection for every
    // command added under an inheriting root: a few milliseconds of each short command's start.
    @picocli.CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Show this help message and exit.")
    boolean help;

    @picocli.CommandLine.Option(names = {"-V", "--version"}, versionHelp = true, scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Print version information and exit.")
    boolean version;

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
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** Runs one command line against the given streams and environment; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
        return run(new Cli(out, err, env, false), args);
    }

    static {
        // picocli looks for Groovy's Closure class when it starts; on a class path of some eighty
        // jars a class that is in none of them costs a fifth of a short command's start.
        if (System.getProperty("picocli.disable.closures") == null) {
            System.setProperty("picocli.disable.closures", "true");
        }
    }

    /** The top-level commands, in the order help lists them. */
    private static final Map<String, Class<?>> COMMANDS = commands();

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> commands = new java.util.LinkedHashMap<>();
        commands.put("serve", ServeCommand.class);
        commands.put("campaign", CampaignCommand.class);
        commands.put("rule", RuleCommand.class);
        commands.put("event", EventCommand.class);
        commands.put("earnings", EarningsCommand.class);
        commands.put("process-events", ProcessEventsCommand.class);
        commands.put("customer", CustomerCommand.class);
        commands.put("redemption", RedemptionCommand.class);
        commands.put("ledger", LedgerCommand.class);
        commands.put("expire-points", ExpirePointsCommand.class);
        commands.put("ai", AiCommand.class);
        commands.put("agent", AgentCommand.class);
        commands.put("shell", ShellCommand.class);
        commands.put("completion", CompletionCommand.class);
        commands.put("config", ConfigCommand.class);
        commands.put("training-run", TrainingRunCommand.class);
        commands.put("version", VersionCommand.class);
        commands.put("help", HelpCommand.class);
        return java.util.Collections.unmodifiableMap(commands);
    }

    static int run(Cli cli, String... args) {
        Cli withFlags = cli.withGlobalFlags(globalFlag("--profile", args), globalFlag("--cacert", args));
        java.util.List<String> words = words(args);
        return commandLine(withFlags, needed(words), subcommand(words)).execute(args);
    }

    /**
     * The top-level commands a command line needs built in full: the one it names (with
     * {@code help} before it, the one help is asked about). Building a command means picocli
     * reflecting over its classes, options and subcommands, the largest part of a short command's
     * start; every other command is only listed, by name and description, for root help and for
     * suggestions after a typo.
     */
    static java.util.Set<String> needed(java.util.List<String> words) {
        if (words == null) {
            // picocli reads arguments from @files, so the command could be any of them.
            return COMMANDS.keySet();
        }
        if (words.isEmpty()) {
            return java.util.Set.of("help");
        }
        if (!COMMANDS.containsKey(words.get(0))) {
            // A typo, or an option put before the command: an error either way, worded by the whole tree.
            return COMMANDS.keySet();
        }
        if (words.get(0).equals("help") && words.size() > 1 && COMMANDS.containsKey(words.get(1))) {
            return java.util.Set.copyOf(java.util.List.of("help", words.get(1)));
        }
        return java.util.Set.of(words.get(0));
    }

    /**
     * The second word of a command line that names a top-level command ({@code list} in
     * {@code campaign list --status active}), or null: within a group only that subcommand needs
     * building in full.
     */
    static String subcommand(java.util.List<String> words) {
        return words != null && words.size() == 2 && COMMANDS.containsKey(words.get(0)) && !words.get(0).equals("help")
                ? words.get(1) : null;
    }

    /** The first two words of a command line that are not options (nor the value of --profile or --cacert); null when it reads @files. */
    private static java.util.List<String> words(String... args) {
        for (String arg : args) {
            if (arg.startsWith("@")) {
                return null;
            }
        }
        java.util.List<String> words = new java.util.ArrayList<>(2);
        for (int i = 0; i < args.length && words.size() < 2; i++) {
            if (args[i].equals("--profile") || args[i].equals("--cacert")) {
                i++;
            } else if (!args[i].startsWith("-")) {
                words.add(args[i]);
            }
        }
        return words;
    }

    /**
     * The value of a global option ({@code --profile}, {@code --cacert}), needed before parsing to
     * resolve settings while commands are built and run; null when not given.
     */
    static String globalFlag(String name, String... args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(name) && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith(name + "=")) {
                return args[i].substring(name.length() + 1);
            }
        }
        return null;
    }

    /** The whole command tree, every command built (completions, the shell, the tree tests). */
    static CommandLine commandLine(Cli cli) {
        return commandLine(cli, COMMANDS.keySet(), null);
    }

    /**
     * The command tree with the {@code built} top-level commands in full and the others listed
     * only; when {@code subcommand} names one of a built group's subcommands, the group's other
     * subcommands are listed only as well.
     */
    static CommandLine commandLine(Cli cli, java.util.Set<String> built, String subcommand) {
        Factory factory = new Factory(cli);
        CommandLine line = new CommandLine(Main.class, factory);
        for (Map.Entry<String, Class<?>> command : COMMANDS.entrySet()) {
            try {
                Class<?> type = command.getValue();
                line.addSubcommand(command.getKey(), !built.contains(command.getKey()) ? listedOnly(type)
                        : names(type, subcommand) ? group(factory, type, subcommand) : factory.create(type));
            } catch (Exception e) {
                throw new IllegalStateException("cannot create command " + command.getKey(), e);
            }
        }
        addExamples(line);
        line.setOut(cli.out());
        line.setErr(cli.err());
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ApiException api) {
                cli.err().println("error: " + api.oneLine());
                return ExitCodes.of(api.kind());
            }
            if (e instanceof Bodies.UsageException usage) {
                cli.err().println("error: " + usage.getMessage());
                return ExitCodes.USAGE;
            }
            cli.err().println("error: " + e);
            return ExitCodes.FAILURE;
        });
        line.setParameterExceptionHandler((e, params) -> {
            cli.err().println("error: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, cli.err());
            cli.err().println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return ExitCodes.USAGE;
        });
        return line;
    }

    /**
     * A command as the root's help lists it: its name, description and visibility from its
     * annotation, without options or subcommands. Never executed: a command line that names a
     * command gets that command built in full.
     */
    private static CommandLine.Model.CommandSpec listedOnly(Class<?> type) {
        Command annotation = type.getAnnotation(Command.class);
        CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.create();
        spec.usageMessage().description(annotation.description()).hidden(annotation.hidden());
        return spec;
    }

    /** Whether {@code type} is a group with a subcommand called {@code name}. */
    private static boolean names(Class<?> type, String name) {
        return name != null && java.util.Arrays.stream(type.getAnnotation(Command.class).subcommands())
                .anyMatch(sub -> sub.getAnnotation(Command.class).name().equals(name));
    }

    /**
     * A group command — the groups have a name, a description and subcommands, nothing else — with
     * the subcommand {@code name} built in full and the others listed only.
     */
    private static CommandLine.Model.CommandSpec group(Factory factory, Class<?> type, String name) throws Exception {
        Command annotation = type.getAnnotation(Command.class);
        CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.wrapWithoutInspection(factory.create(type));
        spec.usageMessage().description(annotation.description()).hidden(annotation.hidden());
        for (Class<?> sub : annotation.subcommands()) {
            String subName = sub.getAnnotation(Command.class).name();
            if (subName.equals(name)) {
                spec.addSubcommand(subName, new CommandLine(factory.create(sub), factory));
            } else {
                spec.addSubcommand(subName, listedOnly(sub));
            }
        }
        return spec;
    }

    /** Read when help is first shown: a command that runs prints none. */
    private static final class Examples {
        static final java.util.Properties ALL = load();

        private static java.util.Properties load() {
            java.util.Properties examples = new java.util.Properties();
            try (var in = Main.class.getResourceAsStream("/campaignctl-examples.properties")) {
                examples.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            } catch (java.io.IOException | NullPointerException e) {
                throw new IllegalStateException("campaignctl-examples.properties missing from the build", e);
            }
            return examples;
        }
    }

    /**
     * Makes each command's usage footer end with its examples (kept in one resource file), added
     * when the usage is first rendered.
     */
    private static void addExamples(CommandLine line) {
        line.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, help -> {
            appendExamples(help.commandSpec());
            return help.footer();
        });
        for (CommandLine sub : line.getSubcommands().values()) {
            addExamples(sub);
        }
    }

    private static void appendExamples(CommandLine.Model.CommandSpec spec) {
        String name = spec.qualifiedName(" ");
        String key = name.equals("campaignctl") ? name : name.substring("campaignctl ".length());
        String text = Examples.ALL.getProperty(key);
        if (text != null && java.util.Arrays.stream(spec.usageMessage().footer()).noneMatch(f -> f.startsWith("Examples:"))) {
            java.util.List<String> footer = new java.util.ArrayList<>(java.util.List.of(spec.usageMessage().footer()));
            footer.add("");
            footer.add("Examples:");
            for (String example : text.split(" ;; ")) {
                footer.add("  " + example.replace("%", "%%"));
            }
            spec.usageMessage().footer(footer.toArray(String[]::new));
        }
    }

    /** Gives commands and mixins that ask for it the {@link Cli} of this run. */
    private record Factory(Cli cli) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                Constructor<K> constructor = type.getDeclaredConstructor(Cli.class);
                return constructor.newInstance(cli);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }

    /** {@code --version}: the build version. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"campaignctl " + Version.current()};
        }
    }
}
