package dev.campaignctl.cli;

import dev.campaignctl.core.api.Version;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListResourceBundle;
import java.util.Map;
import java.util.PropertyResourceBundle;
import java.util.ResourceBundle;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * The command tree: the root command with its global options, the top-level commands in the
 * order help lists them, and the {@link CommandLine} built from them with the usage texts of
 * {@code campaignctl-usage.properties} (exit codes, examples) and the exit mapping.
 *
 * <pre>{@code
 * int code = CommandTree.forArgs(cli, args).execute(args);    // builds only what the line names
 * CommandLine everything = CommandTree.full(cli);             // completion, the shell
 * }</pre>
 */
final class CommandTree {

    /** The top-level commands, in the order help lists them. */
    private static final Map<String, Class<?>> COMMANDS = commands();

    /** The usage texts of a command listed only, whose usage is never shown: none. */
    private static final ResourceBundle NO_USAGE_TEXTS = new ListResourceBundle() {
        @Override
        protected Object[][] getContents() {
            return new Object[0][];
        }
    };

    /** The global options that take a value, read before picocli parses (see {@link #withGlobalFlags}). */
    private static final List<String> GLOBAL_FLAGS = List.of("--profile", "--cacert");

    private CommandTree() {
    }

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> commands = new LinkedHashMap<>();
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
        return Collections.unmodifiableMap(commands);
    }

    /** {@code campaignctl} itself: its description, the options every command takes, and --version. */
    @Command(name = "campaignctl",
            // The version provider goes to every command, as do the options below.
            scope = ScopeType.INHERIT,
            versionProvider = Root.VersionProvider.class,
            description = "Loyalty campaigns and event processing: run the services, manage campaigns and rules, register events.")
    static final class Root {

        @Option(names = "--profile", paramLabel = "NAME", scope = ScopeType.INHERIT,
                description = "Connection profile to use (env CAMPAIGNCTL_PROFILE; see config).")
        String profile;

        // Read before parsing, as --profile is (see withGlobalFlags); declared so that picocli accepts it anywhere.
        @Option(names = "--cacert", paramLabel = "FILE", scope = ScopeType.INHERIT,
                description = "PEM file of the CA(s) an https service's certificate must chain to, instead of the JVM's"
                        + " (env CAMPAIGNCTL_CACERT, profile key cacert).")
        String cacert;

        // -h/--help and -V/--version on every command, as in `campaignctl serve --help`. Declared here
        // rather than with mixinStandardHelpOptions, which picocli re-creates by reflection for every
        // command added under an inheriting root: a few milliseconds of each short command's start.
        @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT,
                description = "Show this help message and exit.")
        boolean help;

        @Option(names = {"-V", "--version"}, versionHelp = true, scope = ScopeType.INHERIT,
                description = "Print version information and exit.")
        boolean version;

        /** {@code --version}: the build version. */
        static final class VersionProvider implements IVersionProvider {
            @Override
            public String[] getVersion() {
                return new String[] {"campaignctl " + Version.current()};
            }
        }
    }

    /**
     * The tree one command line needs: the command it names built in full, the others listed only.
     * Its usage texts are read only when it shows a usage message: reading them costs a command
     * that shows none a few milliseconds of its start.
     */
    static CommandLine forArgs(Cli cli, String... args) {
        List<String> words = words(args);
        CommandLine line = build(withGlobalFlags(cli, args), needed(words), subcommand(words));
        IExecutionStrategy run = line.getExecutionStrategy();
        line.setExecutionStrategy(parsed -> {
            if (showsUsage(parsed)) {
                addUsageTexts(line);
            }
            return run.execute(parsed);
        });
        return line;
    }

    /** The whole command tree, every command built, with its usage texts (completions, the shell, the tree tests). */
    static CommandLine full(Cli cli) {
        CommandLine line = build(cli, COMMANDS.keySet(), null);
        addUsageTexts(line);
        return line;
    }

    /** Whether a parsed command line asks for a usage message: {@code --help} anywhere, or {@code help}. */
    private static boolean showsUsage(ParseResult parsed) {
        for (CommandLine command : parsed.asCommandLineList()) {
            if (command.isUsageHelpRequested() || command.getCommandSpec().helpCommand()) {
                return true;
            }
        }
        return false;
    }

    /** Gives the commands built in full the usage texts; those listed only never show their own usage. */
    private static void addUsageTexts(CommandLine line) {
        if (line.getCommandSpec().resourceBundle() != NO_USAGE_TEXTS) {
            line.getCommandSpec().resourceBundle(UsageText.BUNDLE);
            line.getSubcommands().values().forEach(CommandTree::addUsageTexts);
        }
    }

    /**
     * This run's {@link Cli} with the global options ({@code --profile}, {@code --cacert}) of
     * {@code args}, needed before parsing to resolve settings while commands are built and run.
     */
    static Cli withGlobalFlags(Cli cli, String... args) {
        return cli.withGlobalFlags(globalFlag("--profile", args), globalFlag("--cacert", args));
    }

    /** The value of a global option, or null when not given. */
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

    /**
     * The top-level commands a command line needs built in full: the one it names (with
     * {@code help} before it, the one help is asked about). Building a command means picocli
     * reflecting over its classes, options and subcommands, the largest part of a short command's
     * start; every other command is only listed, by name and description, for root help and for
     * suggestions after a typo.
     */
    static Set<String> needed(List<String> words) {
        if (words == null) {
            // picocli reads arguments from @files, so the command could be any of them.
            return COMMANDS.keySet();
        }
        if (words.isEmpty()) {
            return Set.of("help");
        }
        if (!COMMANDS.containsKey(words.get(0))) {
            // A typo, or an option put before the command: an error either way, worded by the whole tree.
            return COMMANDS.keySet();
        }
        if (words.get(0).equals("help") && words.size() > 1 && COMMANDS.containsKey(words.get(1))) {
            return Set.copyOf(List.of("help", words.get(1)));
        }
        return Set.of(words.get(0));
    }

    /**
     * The second word of a command line that names a top-level command ({@code list} in
     * {@code campaign list --status active}), or null: within a group only that subcommand needs
     * building in full.
     */
    static String subcommand(List<String> words) {
        return words != null && words.size() == 2 && COMMANDS.containsKey(words.get(0)) && !words.get(0).equals("help")
                ? words.get(1) : null;
    }

    /** The first two words of a command line that are not options (nor a global option's value); null when it reads @files. */
    private static List<String> words(String... args) {
        for (String arg : args) {
            if (arg.startsWith("@")) {
                return null;
            }
        }
        List<String> words = new ArrayList<>(2);
        for (int i = 0; i < args.length && words.size() < 2; i++) {
            if (GLOBAL_FLAGS.contains(args[i])) {
                i++;
            } else if (!args[i].startsWith("-")) {
                words.add(args[i]);
            }
        }
        return words;
    }

    /**
     * The command tree with the {@code built} top-level commands in full and the others listed
     * only; when {@code subcommand} names one of a built group's subcommands, the group's other
     * subcommands are listed only as well.
     */
    private static CommandLine build(Cli cli, Set<String> built, String subcommand) {
        Factory factory = new Factory(cli);
        CommandLine line = new CommandLine(Root.class, factory);
        for (Map.Entry<String, Class<?>> command : COMMANDS.entrySet()) {
            try {
                Class<?> type = command.getValue();
                line.addSubcommand(command.getKey(), !built.contains(command.getKey()) ? listedOnly(type)
                        : names(type, subcommand) ? group(factory, type, subcommand) : factory.create(type));
            } catch (Exception e) {
                throw new IllegalStateException("cannot create command " + command.getKey(), e);
            }
        }
        line.setOut(cli.out());
        line.setErr(cli.err());
        // Enum options take their words through Choices, in any case; this keeps any other enum option the same.
        line.setCaseInsensitiveEnumValuesAllowed(true);
        line.setExitCodeExceptionMapper(ExitMapping.INSTANCE);
        line.setExecutionExceptionHandler(ExitMapping.INSTANCE);
        line.setParameterExceptionHandler(ExitMapping.INSTANCE);
        return line;
    }

    /**
     * A command as the root's help lists it: its name, description and visibility from its
     * annotation, without options or subcommands. Never executed: a command line that names a
     * command gets that command built in full.
     */
    private static CommandSpec listedOnly(Class<?> type) {
        Command annotation = type.getAnnotation(Command.class);
        CommandSpec spec = CommandSpec.create();
        spec.usageMessage().description(annotation.description()).hidden(annotation.hidden());
        // Its usage is never shown: it needs none of the usage texts, which picocli would copy the keys of.
        spec.resourceBundle(NO_USAGE_TEXTS);
        return spec;
    }

    /** Whether {@code type} is a group with a subcommand called {@code name}. */
    private static boolean names(Class<?> type, String name) {
        return name != null && Arrays.stream(type.getAnnotation(Command.class).subcommands())
                .anyMatch(sub -> sub.getAnnotation(Command.class).name().equals(name));
    }

    /**
     * A group command — the groups have a name, a description and subcommands, nothing else — with
     * the subcommand {@code name} built in full and the others listed only.
     */
    private static CommandSpec group(Factory factory, Class<?> type, String name) throws Exception {
        Command annotation = type.getAnnotation(Command.class);
        CommandSpec spec = CommandSpec.wrapWithoutInspection(factory.create(type));
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

    /**
     * The usage texts picocli takes from a resource bundle: each command's examples (its footer)
     * and the exit codes, read when first needed. Read from this jar directly:
     * {@code ResourceBundle.getBundle} would first look for locale variants and bundle classes, each
     * a search of the ~80 jars of the class path.
     */
    private static final class UsageText {
        static final ResourceBundle BUNDLE = load("/campaignctl-usage.properties");

        private static ResourceBundle load(String name) {
            try (InputStream in = CommandTree.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException(name + " missing from the build");
                }
                return new PropertyResourceBundle(new InputStreamReader(in, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Gives commands and mixins that ask for it the {@link Cli} of this run, and creates the other
     * classes of this package (mixins, converters, candidates) through their package-private
     * constructors, which picocli's own factory reaches only after two failed attempts.
     */
    private record Factory(Cli cli) implements IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                Class<?>[] parameters = constructor.getParameterTypes();
                if (parameters.length == 1 && parameters[0] == Cli.class) {
                    return type.cast(constructor.newInstance(cli));
                }
            }
            if (type.getPackage() == CommandTree.class.getPackage()) {
                return type.getDeclaredConstructor().newInstance();
            }
            return CommandLine.defaultFactory().create(type);
        }
    }
}
