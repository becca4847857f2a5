package io.herald.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.HeraldJson;
import io.herald.gateway.TestApiKeys;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.TestHttp;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * An app's rate limit counts notifications, not requests: each event costs one per recipient, each event of a
 * batch too. With a burst of 10 and a rate of 1 a second, one app (one bucket) per test.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=gateway-service")
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RecipientRateLimitIT {

    static final List<String> KEYS = List.of("hk_rate_single", "hk_rate_batch", "hk_rate_big");

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafka();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        for (int i = 0; i < KEYS.size(); i++) {
            String key = KEYS.get(i);
            TestApiKeys.add(registry, i, "app-" + key, key);
        }
        registry.add("herald.gateway.rate-limits.per-api-key-per-second", () -> "1");
        registry.add("herald.gateway.rate-limits.per-api-key-burst", () -> "10");
    }

    @LocalServerPort
    int port;

    @Test
    void anEventCostsOneNotificationPerRecipient() throws Exception {
        var tenRecipients = post("/v1/events", KEYS.get(0), event(10));
        assertThat(tenRecipients.statusCode()).as(tenRecipients.body()).isEqualTo(202);

        var oneMore = post("/v1/events", KEYS.get(0), event(1));
        assertThat(oneMore.statusCode()).as(oneMore.body()).isEqualTo(429);
        assertThat(oneMore.headers().firstValue("Retry-After"))
                .hasValueSatisfying(s -> assertThat(Long.parseLong(s)).isPositive());
        assertThat(oneMore.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json(oneMore).path("type").asString()).isEqualTo("https://herald.dev/problems/rate-limited");
    }

    @Test
    void eachEventOfABatchCostsItsRecipientsAndWhatDoesNotFitIsRefusedWith429() throws Exception {
        String batch = "{\"events\":[" + event(4) + "," + event(4) + "," + event(4) + "]}";
        var partly = post("/v1/events/batch", KEYS.get(1), batch);

        assertThat(partly.statusCode()).as(partly.body()).isEqualTo(200);
        JsonNode results = json(partly).path("results");
        assertThat(results.valueStream())
                .extracting(result -> result.path("status").asInt())
                .containsExactly(202, 202, 429);
        assertThat(results.get(2).path("problem").path("type").asString())
                .isEqualTo("https://herald.dev/problems/rate-limited");
        assertThat(json(partly).path("accepted").asInt()).isEqualTo(2);
        assertThat(partly.headers().firstValue("Retry-After")).isPresent();

        var nothingFits = post("/v1/events/batch", KEYS.get(1), "{\"events\":[" + event(4) + "]}");
        assertThat(nothingFits.statusCode()).as(nothingFits.body()).isEqualTo(429);
        assertThat(nothingFits.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(nothingFits).path("type").asString()).isEqualTo("https://herald.dev/problems/rate-limited");
    }

    @Test
    void anEventLargerThanTheBurstPassesWhenTheBucketIsFullAndTheAppThenWaitsForItsRate() throws Exception {
        var big = post("/v1/events", KEYS.get(2), event(25));
        assertThat(big.statusCode()).as(big.body()).isEqualTo(202);

        var next = post("/v1/events", KEYS.get(2), event(1));
        assertThat(next.statusCode()).isEqualTo(429);
        // 25 notifications against a burst of 10 at 1 a second: about 15 s owed.
        assertThat(Long.parseLong(next.headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(10L, 20L);
    }

    private static String event(int recipients) {
        String list = IntStream.range(0, recipients)
                .mapToObj(i -> "\"user-" + i + "\"")
                .collect(Collectors.joining(","));
        return "{\"type\":\"chat\",\"recipients\":[" + list + "],\"title\":\"t\",\"body\":\"b\"}";
    }

    private HttpResponse<String> post(String path, String key, String body) {
        return TestHttp.send("POST", "http://127.0.0.1:" + port + path, Map.of("X-Api-Key", key), body);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return HeraldJson.mapper().readTree(response.body());
    }
}
