package dev.campaignctl.cli;

import dev.campaignctl.core.campaign.CampaignStatus;
import dev.campaignctl.core.campaign.EvaluationMode;
import dev.campaignctl.core.event.EventStatus;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The words of an enum-typed option, in lower case as on the wire ({@code -o json},
 * {@code --status active}): one class is both the option's converter, which takes any case, and
 * its completion candidates, which the shell, the completion scripts and
 * {@code ${COMPLETION-CANDIDATES}} in its description list.
 *
 * <pre>
 * &#64;Option(names = "--status", converter = Choices.CampaignStatuses.class,
 *         completionCandidates = Choices.CampaignStatuses.class, description = "One of: ${COMPLETION-CANDIDATES}.")
 * CampaignStatus status;
 * </pre>
 *
 * A word that is none of them is a mistake on the command line (exit code 2):
 * {@code Invalid value for option '--output': expected one of table, wide, json, yaml but was 'xml'}.
 */
abstract class Choices<E extends Enum<E>> implements ITypeConverter<E>, Iterable<String> {

    private final Map<String, E> byWord = new LinkedHashMap<>();

    Choices(E[] values, Function<E, String> word) {
        for (E value : values) {
            byWord.put(word.apply(value), value);
        }
    }

    /** The lower-case name, for enums of the CLI's own. */
    static String lowerCase(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public E convert(String text) {
        E value = byWord.get(text.toLowerCase(Locale.ROOT));
        if (value == null) {
            throw new TypeConversionException("expected one of " + String.join(", ", byWord.keySet()) + " but was '" + text + "'");
        }
        return value;
    }

    @Override
    public Iterator<String> iterator() {
        return byWord.keySet().iterator();
    }

    static final class CampaignStatuses extends Choices<CampaignStatus> {
        CampaignStatuses() {
            super(CampaignStatus.values(), CampaignStatus::wire);
        }
    }

    static final class EvaluationModes extends Choices<EvaluationMode> {
        EvaluationModes() {
            super(EvaluationMode.values(), EvaluationMode::wire);
        }
    }

    static final class EventStatuses extends Choices<EventStatus> {
        EventStatuses() {
            super(EventStatus.values(), EventStatus::wire);
        }
    }

    static final class OutputFormats extends Choices<OutputOptions.Format> {
        OutputFormats() {
            super(OutputOptions.Format.values(), Choices::lowerCase);
        }
    }

    static final class AiProviders extends Choices<AiCommand.Provider> {
        AiProviders() {
            super(AiCommand.Provider.values(), AiCommand.Provider::id);
        }
    }

    static final class Shells extends Choices<CompletionCommand.Shell> {
        Shells() {
            super(CompletionCommand.Shell.values(), Choices::lowerCase);
        }
    }
}
