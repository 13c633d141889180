package dev.campaignctl.cli;

import dev.campaignctl.core.api.ApiException;
import dev.campaignctl.core.api.ErrorKind;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How a failed run ends: the documented exit code ({@link ExitCodes}) for each kind of failure,
 * and its message on stderr. A mistake on the command line ({@link ParameterException}, from
 * picocli or from a command) is one line, picocli's suggestions after a typo, and a hint to the
 * command's help; a failure while running (the service's answer, a setting or file that is not
 * usable, a bug) is one line.
 */
final class ExitMapping implements IExitCodeExceptionMapper, IExecutionExceptionHandler, IParameterExceptionHandler {

    static final ExitMapping INSTANCE = new ExitMapping();

    private ExitMapping() {
    }

    @Override
    public int getExitCode(Throwable failure) {
        return switch (failure) {
            case ParameterException e -> ExitCodes.USAGE;
            case UsageException e -> ExitCodes.USAGE;
            case ApiException api -> of(api.kind());
            default -> ExitCodes.FAILURE;
        };
    }

    /** The exit code of a failure the service (or the in-process domain) reported. */
    static int of(ErrorKind kind) {
        return switch (kind) {
            case VALIDATION, UNPROCESSABLE, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, METHOD_NOT_ALLOWED -> ExitCodes.INVALID;
            case UNAUTHORIZED -> ExitCodes.AUTH;
            case NOT_FOUND -> ExitCodes.NOT_FOUND;
            case CONFLICT -> ExitCodes.CONFLICT;
            case UNAVAILABLE, BAD_GATEWAY, GATEWAY_TIMEOUT, TOO_MANY_REQUESTS -> ExitCodes.UNAVAILABLE;
            case INTERNAL -> ExitCodes.FAILURE;
        };
    }

    @Override
    public int handleExecutionException(Exception failure, CommandLine command, ParseResult parsed) {
        String message = switch (failure) {
            case ApiException api -> api.oneLine();
            case UsageException usage -> usage.getMessage();
            default -> failure.toString();
        };
        command.getErr().println("error: " + message);
        return getExitCode(failure);
    }

    @Override
    public int handleParseException(ParameterException mistake, String[] args) {
        PrintWriter err = mistake.getCommandLine().getErr();
        err.println("error: " + mistake.getMessage());
        UnmatchedArgumentException.printSuggestions(mistake, err);
        err.println("Run '" + mistake.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
        return getExitCode(mistake);
    }
}
