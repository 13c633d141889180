package dev.campaignctl.core.ai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.testing.FakeLlmServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/** The gateway on a real Redis: hits, misses, TTL, clear, and Redis dying and coming back. */
class RedisCacheTest {

    private FakeLlmServer openai;
    private RedisServer redis;
    private int port;

    @BeforeEach
    void start() throws IOException {
        openai = new FakeLlmServer(FakeLlmServer.Kind.OPENAI);
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1").build();
        redis.start();
    }

    @AfterEach
    void stop() throws IOException {
        openai.close();
        if (redis.isActive()) {
            redis.stop();
        }
    }

    private AiGateway gateway(Duration ttl) {
        return AiGateway.fromConfig(new AiConfig(FakeLlmServer.KEY, "gpt-4", openai.baseUrl(), null, null, null,
                "redis://127.0.0.1:" + port + "/0", ttl, null, null, Duration.ofSeconds(5), 0, Duration.ofMillis(5)));
    }

    private static GenerateRequest request(String prompt, int maxTokens) {
        return new GenerateRequest(prompt, "openai", null, maxTokens, 0.5, true);
    }

    @Test
    void answersAreCachedInRedisPerCompleteRequest() {
        try (AiGateway gateway = gateway(Duration.ofHours(1))) {
            assertThat(gateway.generate(request("redis", 10)).cached()).isFalse();
            assertThat(gateway.generate(request("redis", 10)).cached()).isTrue();
            assertThat(gateway.generate(request("redis", 11)).cached()).isFalse();
            assertThat(openai.completions()).isEqualTo(2);
            assertThat(gateway.cacheHealth().backend()).isEqualTo("redis");
            assertThat(gateway.health().status()).isEqualTo("healthy");
        }
    }

    @Test
    void entriesExpireAfterTheTtl() throws InterruptedException {
        try (AiGateway gateway = gateway(Duration.ofSeconds(1))) {
            gateway.generate(request("ttl", 10));
            assertThat(gateway.generate(request("ttl", 10)).cached()).isTrue();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            boolean expired = false;
            while (!expired && System.nanoTime() < deadline) {
                Thread.sleep(100);
                expired = !gateway.generate(new GenerateRequest("ttl-probe-" + System.nanoTime(), "openai", null, 1, 0.0, false)).cached()
                        && !gateway.generate(request("ttl", 10)).cached();
            }
            assertThat(expired).isTrue();
        }
    }

    @Test
    void clearRemovesEveryCachedAnswer() {
        try (AiGateway gateway = gateway(Duration.ofHours(1))) {
            gateway.generate(request("a", 10));
            gateway.generate(request("b", 10));

            assertThat(gateway.clearCache()).isEqualTo(2);
            assertThat(gateway.generate(request("a", 10)).cached()).isFalse();
        }
    }

    @Test
    void redisDownMeansDegradedButAnsweringAndBackMeansCachedAgain() throws Exception {
        try (AiGateway gateway = gateway(Duration.ofHours(1))) {
            gateway.generate(request("before", 10));
            redis.stop();

            GenerateResponse whileDown = gateway.generate(request("during", 10));
            assertThat(whileDown.cached()).isFalse();
            assertThat(whileDown.text()).startsWith("answer to: during");
            assertThat(gateway.health().status()).isEqualTo("degraded");
            assertThat(gateway.cacheHealth().status()).isEqualTo("degraded");

            redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1").build();
            redis.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!gateway.cacheHealth().ok() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(gateway.cacheHealth().ok()).isTrue();
            gateway.generate(request("after", 10));
            assertThat(gateway.generate(request("after", 10)).cached()).isTrue();
        }
    }
}
