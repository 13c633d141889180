package dev.campaignctl.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code campaignctl help [COMMAND...]}: usage of any command, however deep ({@code help event register}). */
@Command(name = "help", helpCommand = true, description = "Show the usage of campaignctl or of a command.")
final class HelpCommand implements Callable<Integer> {

    /** What a command's name looks like; any other word ends the command's path. */
    private static final Pattern COMMAND_WORD = Pattern.compile("[a-z][a-z-]*");

    private final Cli cli;
    @Spec CommandSpec spec;
    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command, e.g. event register.") List<String> path = new ArrayList<>();

    HelpCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        CommandLine target = spec.root().commandLine();
        for (String name : path) {
            CommandLine next = target.getSubcommands().get(name);
            if (next == null && target != spec.root().commandLine() && !COMMAND_WORD.matcher(name).matches()) {
                // An argument or an option's value after the command (help campaign get 5, help event
                // list --data-dir D): the command's usage, as if they were not there.
                break;
            }
            if (next == null) {
                throw new ParameterException(spec.commandLine(), "unknown command '" + String.join(" ", path) + "'; commands of "
                        + target.getCommandSpec().qualifiedName() + ": " + String.join(", ", visible(target)));
            }
            target = next;
        }
        target.usage(cli.out());
        cli.out().flush();
        return ExitCodes.OK;
    }

    private static List<String> visible(CommandLine command) {
        return command.getSubcommands().entrySet().stream()
                .filter(sub -> !sub.getValue().getCommandSpec().usageMessage().hidden())
                .map(Map.Entry::getKey)
                .toList();
    }
}
