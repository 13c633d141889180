package dev.campaignctl.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code campaignctl completion bash|zsh}: prints the completion script for the current command
 * tree. The same scripts are committed in {@code completions/}; a test fails when they are stale.
 */
@Command(name = "completion", description = "Print the bash or zsh completion script.")
final class CompletionCommand implements Callable<Integer> {

    /** The shells scripts are made for. */
    enum Shell { BASH, ZSH }

    private final Cli cli;
    @Parameters(paramLabel = "SHELL", converter = Choices.Shells.class, completionCandidates = Choices.Shells.class,
            description = "The shell: ${COMPLETION-CANDIDATES}.") Shell shell;

    CompletionCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        cli.out().print(script(shell, CommandTree.full(cli)));
        cli.out().flush();
        return ExitCodes.OK;
    }

    /** picocli's script serves bash directly and zsh through bashcompinit. */
    static String script(Shell shell, CommandLine commandLine) {
        String bash = AutoComplete.bash("campaignctl", commandLine);
        if (shell == Shell.BASH) {
            return bash;
        }
        return "#compdef campaignctl\n# zsh completion for campaignctl, through zsh's bash-completion support.\n"
                + "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + bash;
    }
}
