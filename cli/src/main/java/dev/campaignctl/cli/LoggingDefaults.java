package dev.campaignctl.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.LogManager;

/**
 * The CLI's logging configuration, named in {@code java.util.logging.config.class} so the JDK
 * applies it whenever logging first starts, and only then: setting logging up scans every jar on
 * the class path for logger providers, a tenth of a short command's start, and a remote
 * {@code campaign list} logs nothing. The launcher names this class on the JVM's command line, so it
 * is in force before any code runs; {@link Main#main} names it too when started some other way.
 * A {@code java.util.logging.config.file} given by the user is read instead of the defaults.
 */
public final class LoggingDefaults {

    static final String RESOURCE = "/campaignctl-logging.properties";

    /** Called by {@link LogManager} as it initialises. */
    public LoggingDefaults() {
        String userFile = System.getProperty("java.util.logging.config.file");
        try (InputStream in = userFile != null ? Files.newInputStream(Path.of(userFile))
                : LoggingDefaults.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                LogManager.getLogManager().readConfiguration(in);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("warning: logging configuration not loaded: " + e);
        }
    }

    /** Names this class as the logging configuration unless the user named a file or class. */
    static void install() {
        if (System.getProperty("java.util.logging.config.file") == null
                && System.getProperty("java.util.logging.config.class") == null) {
            System.setProperty("java.util.logging.config.class", LoggingDefaults.class.getName());
        }
    }
}
