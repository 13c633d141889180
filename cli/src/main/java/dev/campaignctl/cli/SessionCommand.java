package dev.campaignctl.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A data command: connection and output options, one {@link Session} opened for the call and
 * closed after it. Commands that read a file or check arguments before connecting implement
 * {@link Callable} themselves, so a bad argument never waits for a database to start.
 */
abstract class SessionCommand implements Callable<Integer> {

    final Cli cli;
    @Mixin ConnectionOptions connection;
    @Mixin OutputOptions output;
    @Spec CommandSpec spec;

    SessionCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        checkArguments();
        try (Session session = Session.open(cli, connection)) {
            execute(session);
        }
        return ExitCodes.OK;
    }

    /**
     * Throws a {@code ParameterException} for a mistake in the arguments that picocli cannot see
     * alone (an option required unless {@code -f}), before any connection is made.
     */
    void checkArguments() {
    }

    /** Does the command's work and prints its result with {@link #output}. */
    abstract void execute(Session session);
}
