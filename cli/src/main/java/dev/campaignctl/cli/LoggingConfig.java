package dev.campaignctl.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.logging.LogManager;

/**
 * The CLI's default logging configuration, named in {@code java.util.logging.config.class} so that
 * the JDK applies it when logging is first used rather than at every start: a short command that
 * logs nothing then never sets logging up (which scans every jar on the class path for providers).
 */
public final class LoggingConfig {

    /** Called by {@link LogManager} when it initialises. */
    public LoggingConfig() {
        try (InputStream in = LoggingConfig.class.getResourceAsStream("/campaignctl-logging.properties")) {
            if (in != null) {
                LogManager.getLogManager().readConfiguration(in);
            }
        } catch (IOException e) {
            System.err.println("warning: default logging configuration not loaded: " + e.getMessage());
        }
    }
}
