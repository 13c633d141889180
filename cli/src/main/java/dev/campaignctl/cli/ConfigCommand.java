package dev.campaignctl.cli;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code campaignctl config set|get|list|use-profile}: named connection profiles. */
@Command(name = "config", description = "Named connection profiles (URLs, credentials, data directory) in the user's config file.",
        subcommands = {ConfigCommand.Set.class, ConfigCommand.Get.class, ConfigCommand.ListProfiles.class, ConfigCommand.UseProfile.class})
final class ConfigCommand {

    /** Completion candidates for keys. */
    static final class Keys implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Profiles.KEYS.iterator();
        }
    }

    @Command(name = "set", description = "Set a key of a profile (created if new).")
    static final class Set implements Callable<Integer> {
        private final Cli cli;
        @Parameters(index = "0", paramLabel = "KEY", completionCandidates = Keys.class, description = "One of: ${COMPLETION-CANDIDATES}.") String key;
        @Parameters(index = "1", paramLabel = "VALUE", description = "The value.") String value;

        Set(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Profiles profiles = Profiles.load(cli.env());
            String name = cli.profileFlag() != null ? cli.profileFlag()
                    : cli.env("CAMPAIGNCTL_PROFILE") != null ? cli.env("CAMPAIGNCTL_PROFILE") : profiles.current();
            profiles.set(name, key, value);
            profiles.save();
            cli.err().println("set " + key + " in profile " + name + " (" + profiles.path() + ")");
            return ExitCodes.OK;
        }
    }

    @Command(name = "get", description = "Print a key of a profile.")
    static final class Get implements Callable<Integer> {
        private final Cli cli;
        @Parameters(paramLabel = "KEY", completionCandidates = Keys.class, description = "One of: ${COMPLETION-CANDIDATES}.") String key;

        Get(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            String value = cli.profile().get(key);
            if (value == null) {
                cli.err().println("error: " + key + " is not set");
                return ExitCodes.NOT_FOUND;
            }
            cli.out().println(value);
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "List the profiles and their values (passwords and tokens hidden).")
    static final class ListProfiles implements Callable<Integer> {
        private final Cli cli;
        @Mixin OutputOptions output;

        ListProfiles(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Profiles profiles = Profiles.load(cli.env());
            List<Map<String, Object>> rows = new ArrayList<>();
            profiles.all().forEach((name, values) -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("profile", name);
                row.put("current", name.equals(profiles.current()));
                values.forEach((k, v) -> row.put(k, k.equals("password") || k.equals("ai-token") ? "****" : v));
                rows.add(row);
            });
            Output.print(cli, output, rows, "profile", "current", "url", "ai-url", "username", "data-dir", "db-url");
            return ExitCodes.OK;
        }
    }

    @Command(name = "use-profile", description = "Make a profile the current one.")
    static final class UseProfile implements Callable<Integer> {
        private final Cli cli;
        @Parameters(paramLabel = "NAME", description = "Profile name.") String name;

        UseProfile(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Profiles profiles = Profiles.load(cli.env());
            profiles.use(name);
            profiles.save();
            cli.err().println("now using profile " + name);
            return ExitCodes.OK;
        }
    }
}
