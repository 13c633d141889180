package dev.campaignctl.cli;

/**
 * A setting, file or combination of options that cannot be used, found while the command runs: an
 * unknown profile, a config file that does not parse, a limit's environment variable out of range,
 * a certificate file that cannot be read, {@code --tls-cert} without {@code --tls-key}. Exit code 2
 * as for a mistake picocli finds, in one line without the hint to the command's help (which says
 * nothing about files and environment variables).
 */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message);
    }
}
