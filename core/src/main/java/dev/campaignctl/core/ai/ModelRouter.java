package dev.campaignctl.core.ai;

import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which provider answers a model name of an OpenAI request, in this order: the alias table
 * ({@code AI_MODEL_ALIASES="fast=gpt-4o-mini,smart=anthropic/claude-3-5-sonnet-latest"}); an
 * explicit {@code openai/} or {@code anthropic/} prefix; {@code claude-*} to Anthropic;
 * {@code gpt-*}, {@code chatgpt-*} and {@code o1}/{@code o3}/{@code o4}... to OpenAI; any other
 * name to OpenAI only when {@code OPENAI_BASE_URL} points at a compatible server (Ollama, vLLM).
 */
public final class ModelRouter {

    /** A model name resolved: the provider's id and the model name it is sent as. */
    public record Route(String provider, String model) {
    }

    private final Map<String, String> aliases;
    private final boolean compatibleServer;

    public ModelRouter(Map<String, String> aliases, boolean compatibleServer) {
        this.aliases = Map.copyOf(aliases);
        this.compatibleServer = compatibleServer;
    }

    /** {@code name=target,name=target}; targets may carry a provider prefix. */
    public static Map<String, String> parseAliases(String setting) {
        Map<String, String> aliases = new LinkedHashMap<>();
        if (setting == null || setting.isBlank()) {
            return aliases;
        }
        for (String pair : setting.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw ApiException.invalid("AI_MODEL_ALIASES", "must be name=model pairs separated by commas, got \""
                        + (pair.length() > 40 ? pair.substring(0, 40) : pair) + "\"");
            }
            aliases.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return aliases;
    }

    public Map<String, String> aliases() {
        return aliases;
    }

    public Route route(String requested) {
        String name = aliases.getOrDefault(requested, requested);
        return explicit(name).or(() -> byPrefix(name)).orElseThrow(() -> new ApiException(ErrorKind.NOT_FOUND, "model_not_found",
                "The model `" + (requested.length() > 100 ? requested.substring(0, 100) : requested)
                        + "` does not exist: use gpt-*, o*, claude-*, openai/NAME, anthropic/NAME or an alias",
                Map.of("param", "model")));
    }

    private static Optional<Route> explicit(String name) {
        int slash = name.indexOf('/');
        if (slash > 0 && slash < name.length() - 1) {
            String provider = name.substring(0, slash);
            if (provider.equals("openai") || provider.equals("anthropic")) {
                return Optional.of(new Route(provider, name.substring(slash + 1)));
            }
        }
        return Optional.empty();
    }

    private Optional<Route> byPrefix(String name) {
        if (name.startsWith("claude-")) {
            return Optional.of(new Route("anthropic", name));
        }
        if (name.startsWith("gpt-") || name.startsWith("chatgpt-")
                || name.length() >= 2 && name.charAt(0) == 'o' && Character.isDigit(name.charAt(1)) || compatibleServer) {
            return Optional.of(new Route("openai", name));
        }
        return Optional.empty();
    }
}
