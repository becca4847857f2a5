package io.herald.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.Topics;
import io.herald.gateway.TestApiKeys;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.TestHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
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
 * An id already used for an event (by {@code Idempotency-Key} or {@code eventId}) names that event: a retry of
 * it is answered with its id and publishes nothing, a different event under it is refused with 422 instead of
 * being dropped; and ids derived from keys cannot be computed by anyone without the server's secret.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=gateway-service")
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class IdempotencyConflictIT {

    static final String KEY_A = "hk_idem_a";
    static final String KEY_B = "hk_idem_b";

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafka();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestApiKeys.add(registry, 0, "app-a", KEY_A);
        TestApiKeys.add(registry, 1, "app-b", KEY_B);
    }

    @LocalServerPort
    int port;

    @Test
    void theSameIdempotencyKeyWithAnotherEventIsRefusedWith422AndOnlyTheFirstIsPublished() throws Exception {
        String key = "order-" + UUID.randomUUID();
        var first = post("/v1/events", KEY_A, key, """
                {"type":"chat","recipients":["alice"],"title":"Hi","body":"first","data":{"a":"1","b":"2"}}""");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        String id = json(first).path("eventId").asString();

        // The same event again, its members in another order and spaced differently: a retry.
        var retry = post("/v1/events", KEY_A, key, """
                { "data": {"b":"2", "a":"1"}, "body":"first", "title":"Hi", "recipients":["alice"], "type":"chat",
                  "priority": null }""");
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(202);
        assertThat(json(retry).path("eventId").asString()).isEqualTo(id);

        var other = post("/v1/events", KEY_A, key, """
                {"type":"chat","recipients":["mallory"],"title":"Hi","body":"first","data":{"a":"1","b":"2"}}""");
        assertThat(other.statusCode()).as(other.body()).isEqualTo(422);
        assertThat(other.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json(other).path("type").asString()).isEqualTo("https://herald.dev/problems/idempotency-conflict");
        assertThat(json(other).path("field").asString()).isEqualTo("Idempotency-Key");

        List<ConsumerRecord<String, byte[]>> published = published(id);
        assertThat(published).hasSize(1);
        assertThat(HeraldJson.mapper()
                        .readTree(published.getFirst().value())
                        .path("recipients")
                        .get(0)
                        .asString())
                .isEqualTo("alice");
    }

    @Test
    void theSameEventIdWithAnotherEventIsRefusedAloneAndInABatch() throws Exception {
        String id = UUID.randomUUID().toString();
        String event = "{\"eventId\":\"%s\",\"type\":\"chat\",\"recipients\":[\"%s\"],\"title\":\"t\"}";
        assertThat(post("/v1/events", KEY_A, null, event.formatted(id, "alice")).statusCode())
                .isEqualTo(202);

        var other = post("/v1/events", KEY_A, null, event.formatted(id, "mallory"));
        assertThat(other.statusCode()).as(other.body()).isEqualTo(422);
        assertThat(json(other).path("field").asString()).isEqualTo("eventId");

        String fresh = UUID.randomUUID().toString();
        var batch = post(
                "/v1/events/batch",
                KEY_A,
                null,
                "{\"events\":[" + event.formatted(id, "alice") + "," + event.formatted(id, "mallory") + ","
                        + event.formatted(fresh, "alice") + "," + event.formatted(fresh, "mallory") + "]}");
        assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
        assertThat(json(batch).path("results").valueStream())
                .extracting(result -> result.path("status").asInt())
                .containsExactly(202, 422, 202, 422);
        assertThat(published(fresh)).hasSize(1);
    }

    @Test
    void idsDerivedFromAnIdempotencyKeyDifferByAppAndCannotBeComputedWithoutTheServersSecret() throws Exception {
        String key = "shared-key-" + UUID.randomUUID();
        String body = "{\"type\":\"chat\",\"recipients\":[\"alice\"],\"title\":\"t\"}";
        UUID a = UUID.fromString(
                json(post("/v1/events", KEY_A, key, body)).path("eventId").asString());
        UUID b = UUID.fromString(
                json(post("/v1/events", KEY_B, key, body)).path("eventId").asString());

        assertThat(a).isNotEqualTo(b);
        // Not the public name-based derivation of app and key, which anyone could compute ahead of the app.
        UUID publicNamespace = UUID.fromString("6f0c2b1e-4a43-5c38-9d57-1d3b6c1e9a10");
        assertThat(a).isNotEqualTo(Ids.uuidV5(publicNamespace, "app-a\n" + key));
        assertThat(a.version()).isEqualTo(8);
    }

    /** Every record of the events topic keyed by {@code eventId}, read from the beginning to the current end. */
    private List<ConsumerRecord<String, byte[]>> published(String eventId) {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (eventId.equals(r.key())) {
                        found.add(r);
                    }
                });
            }
        }
        return found;
    }

    private HttpResponse<String> post(String path, String apiKey, String idempotencyKey, String body) {
        Map<String, String> headers = new HashMap<>(Map.of("X-Api-Key", apiKey));
        if (idempotencyKey != null) {
            headers.put("Idempotency-Key", idempotencyKey);
        }
        return TestHttp.send("POST", "http://127.0.0.1:" + port + path, headers, body);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return HeraldJson.mapper().readTree(response.body());
    }
}
