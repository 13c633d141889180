package dev.campaignctl.core.ai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.json.Json;
import dev.campaignctl.core.testing.FakeLlmServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A provider that takes its time to answer is waited for, not timed out. */
class SlowProviderTest {

    @Test
    void anAnswerAfterTwoSecondsArrives() throws Exception {
        try (FakeLlmServer openai = new FakeLlmServer(FakeLlmServer.Kind.OPENAI)) {
            AiConfig config = new AiConfig(FakeLlmServer.KEY, "gpt-4", openai.baseUrl(), null, null, null, null,
                    Duration.ofHours(1), null, null, Duration.ofSeconds(10), 1, Duration.ofMillis(5));
            openai.delay(Duration.ofSeconds(2));
            try (LocalAiApi ai = new LocalAiApi(AiGateway.fromConfig(config), true)) {
                long begin = System.nanoTime();
                var answer = ai.generate(GenerateRequest.fromJson(Json.tree("{\"prompt\": \"slow\", \"use_cache\": false}")));
                long millis = (System.nanoTime() - begin) / 1_000_000;
                assertThat(answer.text()).contains("slow");
                assertThat(millis).isLessThan(9_000);
            }
        }
    }
}
