package dev.campaignctl.core.ai;

import java.io.IOException;

/**
 * A provider's streamed answer, as OpenAI {@code chat.completion.chunk} objects as they arrive
 * (translated where the provider speaks another format). The usage chunk (empty {@code choices}, a
 * {@code usage} object) comes last, when the provider sent usage. Closing it before the end cancels the provider's call.
 */
public interface ChatStream extends AutoCloseable {

    /** The next chunk, or null once the provider ended the stream. */
    StreamChunk next() throws IOException;

    /** What to do before waiting for the provider: send what was written so far. */
    @FunctionalInterface
    interface BeforeWaiting {
        void run() throws IOException;
    }

    /**
     * Asks the stream to call {@code hook} whenever reading the next chunk would wait for the
     * provider (nothing more has arrived), so chunks that arrived together may be sent together and
     * none is held while the provider is slow; false when this stream cannot tell, and the caller
     * then sends each chunk as it comes.
     */
    default boolean beforeWaiting(BeforeWaiting hook) {
        return false;
    }

    /** The usage the provider reported so far; parts it has not reported are -1. */
    Usage usage();

    @Override
    void close();
}
