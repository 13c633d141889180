package dev.campaignctl.cli;

import dev.campaignctl.core.api.Version;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code campaignctl version}. */
@Command(name = "version", description = "Print the version.")
final class VersionCommand implements Callable<Integer> {

    private final Cli cli;

    VersionCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        cli.out().println("campaignctl " + Version.current() + " (Java " + Runtime.version() + ")");
        return ExitCodes.OK;
    }
}
