package dev.campaignctl.core.ai;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A whole chat answer in OpenAI's {@code chat.completion} shape, and its usage. */
public record ChatAnswer(ObjectNode completion, Usage usage) {
}
