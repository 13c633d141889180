package dev.campaignctl.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.campaignctl.core.error.ApiException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Well-formed UTF-8 passes; every kind of ill-formed sequence is found at its first byte. */
class Utf8Test {

    private static byte[] with(String before, int... bytes) {
        byte[] prefix = before.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[prefix.length + bytes.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        for (int i = 0; i < bytes.length; i++) {
            all[prefix.length + i] = (byte) bytes[i];
        }
        return all;
    }

    @Test
    void wellFormedTextPassesWhateverItsScript() {
        assertThat(Utf8.firstInvalid("plain ASCII".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(Utf8.firstInvalid("Café, Straße, 東京, 😀".repeat(2000).getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(Utf8.firstInvalid(with("", 0xEF, 0xBB, 0xBF, '{', '}'))).as("a byte order mark").isEqualTo(-1);
        assertThat(Utf8.firstInvalid(new byte[0])).isEqualTo(-1);
    }

    @Test
    void everyIllFormedSequenceIsFoundAtItsFirstByte() {
        assertThat(Utf8.firstInvalid(with("ab", 0xFF))).as("a byte UTF-8 never has").isEqualTo(2);
        assertThat(Utf8.firstInvalid(with("ab", 0x80))).as("a stray continuation byte").isEqualTo(2);
        assertThat(Utf8.firstInvalid(with("ab", 0xC0, 0xAF))).as("an overlong slash").isEqualTo(2);
        assertThat(Utf8.firstInvalid(with("ab", 0xED, 0xA0, 0x80))).as("an encoded surrogate").isEqualTo(2);
        assertThat(Utf8.firstInvalid(with("ab", 0xF4, 0x90, 0x80, 0x80))).as("past U+10FFFF").isEqualTo(2);
        assertThat(Utf8.firstInvalid(with("ab", 0xE2, 0x82))).as("a sequence cut short at the end").isEqualTo(2);
        assertThat(Utf8.firstInvalid(with("€".repeat(5000), 0xE9, 'x'))).as("past the decoder's first buffer").isEqualTo(15_000);
    }

    @Test
    void theMessageNamesWhatWasReadAndWhere() {
        assertThatThrownBy(() -> Utf8.require(with("{}\n{}\n{\"x\": \"", 0xE9, '"', '}'), "the file"))
                .isInstanceOf(ApiException.class)
                .hasMessage("the file is not valid UTF-8 at line 3 (byte 13)");
    }
}
