package dev.campaignctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The CLI's logging defaults, as LogManager applies them when logging first starts. */
class LoggingDefaultsTest {

    @AfterEach
    void restoreTheTestConfiguration() throws Exception {
        LogManager.getLogManager().readConfiguration();
    }

    @Test
    void warningsForLibrariesAndInfoForCampaignctl() {
        String userFile = System.clearProperty("java.util.logging.config.file");
        try {
            new LoggingDefaults();
        } finally {
            if (userFile != null) {
                System.setProperty("java.util.logging.config.file", userFile);
            }
        }

        assertThat(Logger.getLogger("").getLevel()).isEqualTo(Level.WARNING);
        assertThat(Logger.getLogger("dev.campaignctl.cli").isLoggable(Level.INFO)).isTrue();
        assertThat(Logger.getLogger("io.helidon.webserver").isLoggable(Level.INFO)).isFalse();
        assertThat(Logger.getLogger("").getHandlers()).anyMatch(h -> h instanceof AsyncConsoleHandler);
    }
}
