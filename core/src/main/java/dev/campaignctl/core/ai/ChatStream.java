package dev.campaignctl.core.ai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * A provider's streamed answer, translated to OpenAI {@code chat.completion.chunk} objects as they
 * arrive. The usage chunk (empty {@code choices}, a {@code usage} object) comes last, when the
 * provider sent usage. Closing it before the end cancels the provider's call.
 */
public interface ChatStream extends AutoCloseable {

    /** The next chunk, or null once the provider ended the stream. */
    ObjectNode next() throws IOException;

    /**
     * Whether the next chunk is already here (read without waiting for the provider); false when
     * unknown. The gateway writes a chunk that another follows at once without flushing it.
     */
    default boolean ready() {
        return false;
    }

    /** The usage the provider reported so far; parts it has not reported are -1. */
    Usage usage();

    @Override
    void close();
}
