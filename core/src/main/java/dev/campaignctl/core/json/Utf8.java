package dev.campaignctl.core.json;

import dev.campaignctl.core.error.ApiException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Refuses text that is not well-formed UTF-8 — stray bytes, overlong forms, encoded surrogates, a
 * sequence cut short — before anything reads it. JSON parsers check the strings they decode, but
 * text kept as it came (an event's transaction data is stored as its own bytes) is only skipped
 * over, and decoding it later would silently turn such bytes into U+FFFD.
 *
 * <pre>{@code
 * Utf8.require(body, "the request body");   // 400: the request body is not valid UTF-8 at line 3 (byte 181)
 * }</pre>
 */
public final class Utf8 {

    private Utf8() {
    }

    /** @param what what the content is, for the message: {@code "the request body"}, {@code "the file"} */
    public static void require(byte[] content, String what) {
        long at = firstInvalid(content);
        if (at >= 0) {
            throw ApiException.invalid(null, what + " is not valid UTF-8 at line " + line(content, (int) at)
                    + " (byte " + at + ")");
        }
    }

    /** The offset of the first byte of the first ill-formed sequence, or -1 when there is none. */
    public static long firstInvalid(byte[] content) {
        if (isAscii(content)) {
            return -1;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(content);
        // Decoded into a small buffer over and over: a large body needs no second copy as text.
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                return in.position();
            }
            if (result.isUnderflow()) {
                result = decoder.flush(out.clear());
                return result.isError() ? in.position() : -1;
            }
            out.clear();
        }
    }

    private static boolean isAscii(byte[] content) {
        for (byte b : content) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static int line(byte[] content, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (content[i] == '\n') {
                line++;
            }
        }
        return line;
    }
}
