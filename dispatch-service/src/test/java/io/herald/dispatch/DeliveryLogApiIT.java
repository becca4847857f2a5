package io.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.dispatch.delivery.Retries;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.events.TokenFeedback;
import io.herald.events.Topics;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.fcm.FcmAnswer;
import io.herald.testkit.fcm.FcmEmulator;
import io.herald.testkit.fcm.FcmError;
import io.herald.testkit.script.Script;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
 * With the default settings dispatch-service publishes no delivery status: a push is sent, its outcome is a row of
 * the record of sends, readable through {@code GET /internal/v1/deliveries} (with the service credential only), and
 * nothing reaches {@code herald.delivery-status.v1}; dead tokens still become token feedback, and a dead letter is
 * recorded as the delivery's latest attempt. Through a real Kafka broker, PostgreSQL and the FCM emulator.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=dispatch-service")
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DeliveryLogApiIT {

    /** {@code herald.dispatch.log.max-rows} here: small, so that a call can be truncated. */
    private static final int MAX_ROWS = 3;

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("logapi");

    static final FcmEmulator fcm = FcmEmulator.start();
    static final HttpClient http = HttpClient.newHttpClient();
    static KafkaProducer<String, byte[]> producer;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestProviders.fcm(registry, fcm);
        TestProviders.quickRetries(registry);
        registry.add("herald.dispatch.log.max-rows", () -> Integer.toString(MAX_ROWS));
        // herald.delivery-status.publish is left at its default
    }

    @BeforeAll
    static void clients() {
        fcm.acceptAccessToken("herald-emulator");
        producer = infra.producer();
    }

    @AfterAll
    static void close() {
        producer.close();
        fcm.close();
    }

    @Test
    void byDefaultNoStatusIsPublishedAndEachDeliverysLatestAttemptIsReadable() throws Exception {
        UUID event = UUID.randomUUID();
        PushDelivery sent = ofEvent(event, "user-sent", "token-sent-" + UUID.randomUUID(), Provider.FCM);
        String deadToken = "token-dead-" + UUID.randomUUID();
        fcm.unregister(deadToken);
        PushDelivery dead = ofEvent(event, "user-dead", deadToken, Provider.FCM);
        PushDelivery retried =
                ofEvent(UUID.randomUUID(), "user-retried", "token-retried-" + UUID.randomUUID(), Provider.FCM);
        fcm.script().forToken(retried.token(), 2, FcmAnswer.fail(FcmError.QUOTA_EXCEEDED));
        PushDelivery unsupported =
                ofEvent(event, "user-webpush", "{\"endpoint\":\"https://push.example/x\"}", Provider.WEBPUSH);
        PushDelivery exhausted =
                ofEvent(UUID.randomUUID(), "user-exhausted", "token-exhausted-" + UUID.randomUUID(), Provider.FCM);
        fcm.script().forToken(exhausted.token(), Script.FOREVER, FcmAnswer.fail(FcmError.INTERNAL));
        for (PushDelivery d : List.of(sent, dead, retried, unsupported, exhausted)) {
            publish(d);
        }

        awaitReceived(sent.token());
        Map<UUID, JsonNode> rows = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> {
                            // a call per event: three deliveries each at most (MAX_ROWS)
                            Map<UUID, JsonNode> found = byDeliveryId(get(event).path("deliveries"));
                            found.putAll(byDeliveryId(get(retried.eventId()).path("deliveries")));
                            found.putAll(byDeliveryId(get(exhausted.eventId()).path("deliveries")));
                            return found;
                        },
                        found -> found.size() == 5
                                && found.get(exhausted.deliveryId())
                                        .path("outcome")
                                        .asString()
                                        .equals("dead_lettered")
                                && found.get(retried.deliveryId())
                                        .path("outcome")
                                        .asString()
                                        .equals("sent")
                                && found.get(unsupported.deliveryId())
                                        .path("outcome")
                                        .asString()
                                        .equals("dead_lettered"));
        assertRow(rows.get(sent.deliveryId()), sent, "sent", null, 1);
        assertRow(rows.get(dead.deliveryId()), dead, "rejected", "UNREGISTERED", 1);
        // two failed attempts, then sent: only the latest is shown
        assertRow(rows.get(retried.deliveryId()), retried, "sent", null, 3);
        // never sent: dead-lettered at once, its reason code as reason
        assertRow(rows.get(unsupported.deliveryId()), unsupported, "dead_lettered", "provider-not-implemented", 1);
        // three failed attempts, then the dead-letter topic: the dead letter is the latest of the three
        assertRow(rows.get(exhausted.deliveryId()), exhausted, "dead_lettered", "retries-exhausted", 3);

        // Token feedback is published as before.
        ConsumerRecord<String, byte[]> feedback =
                infra.firstRecord(Topics.TOKEN_FEEDBACK, deadToken, Duration.ofSeconds(30));
        assertThat(HeraldJson.mapper()
                        .readValue(feedback.value(), TokenFeedback.class)
                        .deliveryId())
                .isEqualTo(dead.deliveryId());

        // Once every consumer of dispatch-service has committed all it read (its statuses, were there any, are
        // acknowledged by Kafka before that), herald.delivery-status.v1 holds nothing.
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> caughtUp(admin));
            assertThat(endOffsets(admin, Topics.DELIVERY_STATUS).values())
                    .as("records on %s", Topics.DELIVERY_STATUS)
                    .allMatch(end -> end == 0L);
        }
    }

    @Test
    void theEndpointAnswersOnlyCallersWithTheServiceCredential() throws Exception {
        String query = "/internal/v1/deliveries?eventId=" + UUID.randomUUID();
        HttpResponse<String> without =
                http.send(HttpRequest.newBuilder(uri(query)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(without.statusCode()).isEqualTo(401);
        assertThat(without.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(HeraldJson.mapper().readTree(without.body()).path("type").asString())
                .isEqualTo("https://herald.dev/problems/unauthenticated");
        HttpResponse<String> wrong = http.send(
                HttpRequest.newBuilder(uri(query))
                        .header("X-Herald-Internal-Token", "not-the-internal-secret-of-this-herald")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);

        HttpResponse<String> with = call(query);
        assertThat(with.statusCode()).isEqualTo(200);
        assertThat(HeraldJson.mapper().readTree(with.body()).path("deliveries").isArray())
                .isTrue();
    }

    @Test
    void unknownEventIdsAreAbsentAndBadOnesAreRefusedWithAProblem() throws Exception {
        List<String> hundred = IntStream.range(0, 100)
                .mapToObj(i -> "eventId=" + UUID.randomUUID())
                .toList();
        HttpResponse<String> unknown = call("/internal/v1/deliveries?" + String.join("&", hundred));
        assertThat(unknown.statusCode()).isEqualTo(200);
        JsonNode body = HeraldJson.mapper().readTree(unknown.body());
        assertThat(body.path("deliveries").size()).isZero();
        assertThat(body.path("truncated").asBoolean(true)).isFalse();

        List<String> tooMany = new ArrayList<>(hundred);
        tooMany.add("eventId=" + UUID.randomUUID());
        assertInvalidParameter(call("/internal/v1/deliveries?" + String.join("&", tooMany)), "at most 100");
        assertInvalidParameter(call("/internal/v1/deliveries"), "eventId is required");
        assertInvalidParameter(call("/internal/v1/deliveries?eventId=not-a-uuid"), "must be a UUID");
        assertInvalidParameter(
                call("/internal/v1/deliveries?eventId=" + UUID.randomUUID() + "&eventId=1-1-1-1-1"), "must be a UUID");
    }

    @Test
    void aDeadLetterReplayedAndSentShowsAsSent() throws Exception {
        // Three failures use up the attempts (quickRetries): dead-lettered as attempt 3. Replayed onto
        // herald.push.v1 (as herald-ops replays it), the send counts its attempts from 1 again and succeeds.
        PushDelivery delivery =
                ofEvent(UUID.randomUUID(), "user-replayed", "token-replayed-" + UUID.randomUUID(), Provider.FCM);
        fcm.script().forToken(delivery.token(), 3, FcmAnswer.fail(FcmError.INTERNAL));
        publish(delivery);
        await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> byDeliveryId(get(delivery.eventId()).path("deliveries")),
                        rows -> rows.containsKey(delivery.deliveryId())
                                && rows.get(delivery.deliveryId())
                                        .path("outcome")
                                        .asString()
                                        .equals("dead_lettered"));

        publish(delivery);
        awaitReceived(delivery.token());
        JsonNode row = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> byDeliveryId(get(delivery.eventId()).path("deliveries"))
                                .get(delivery.deliveryId()),
                        r -> r != null && r.path("outcome").asString().equals("sent"));
        assertRow(row, delivery, "sent", null, 1);
    }

    @Test
    void moreDeliveriesThanMaxRowsAreTruncatedToTheNewest() throws Exception {
        UUID event = UUID.randomUUID();
        List<PushDelivery> deliveries = IntStream.range(0, MAX_ROWS + 1)
                .mapToObj(i -> ofEvent(event, "user-many-" + i, "token-many-" + UUID.randomUUID(), Provider.FCM))
                .toList();
        deliveries.forEach(DeliveryLogApiIT::publish);
        deliveries.forEach(d -> awaitReceived(d.token()));

        JsonNode body = await().atMost(Duration.ofSeconds(30))
                .until(() -> get(event), b -> b.path("truncated").asBoolean(false));
        List<JsonNode> shown = new ArrayList<>();
        body.path("deliveries").forEach(shown::add);
        assertThat(shown).hasSize(MAX_ROWS);
        List<Instant> recorded = shown.stream()
                .map(r -> Instant.parse(r.path("recordedAt").asString()))
                .toList();
        assertThat(recorded).isSortedAccordingTo((a, b) -> b.compareTo(a));
        assertThat(shown).extracting(r -> r.path("eventId").asString()).containsOnly(event.toString());
    }

    private static void assertRow(
            @Nullable JsonNode row, PushDelivery delivery, String outcome, @Nullable String reason, int attempt) {
        assertThat(row).as("the row of %s", delivery.userId()).isNotNull();
        assertThat(row.path("eventId").asString()).isEqualTo(delivery.eventId().toString());
        assertThat(row.path("notificationId").asString())
                .isEqualTo(delivery.notificationId().toString());
        assertThat(row.path("deliveryId").asString())
                .isEqualTo(delivery.deliveryId().toString());
        assertThat(row.path("userId").asString()).isEqualTo(delivery.userId());
        assertThat(row.path("provider").asString())
                .isEqualTo(delivery.provider().name().toLowerCase());
        assertThat(row.path("outcome").asString()).isEqualTo(outcome);
        if (reason == null) {
            assertThat(row.path("reason").isNull()).as("reason is null").isTrue();
        } else {
            assertThat(row.path("reason").asString()).isEqualTo(reason);
        }
        assertThat(row.path("attempt").asInt()).isEqualTo(attempt);
        assertThat(Instant.parse(row.path("recordedAt").asString()))
                .isBetween(Instant.now().minus(Duration.ofMinutes(5)), Instant.now());
    }

    private static void assertInvalidParameter(HttpResponse<String> response, String detail) {
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        JsonNode problem = HeraldJson.mapper().readTree(response.body());
        assertThat(problem.path("type").asString()).isEqualTo("https://herald.dev/problems/invalid-parameter");
        assertThat(problem.path("field").asString()).isEqualTo("eventId");
        assertThat(problem.path("detail").asString()).contains(detail);
    }

    /** Whether each consumer group of dispatch-service has committed every record of its topic. */
    private static boolean caughtUp(Admin admin) throws Exception {
        Map<String, String> groups = new HashMap<>();
        groups.put(Topics.PUSH, "herald-dispatcher");
        groups.put(Topics.PUSH_DLT, "herald-dispatcher-dlt");
        // the retry topics of TestProviders.quickRetries (three attempts: two retry topics)
        groups.put(Retries.topic(0), "herald-dispatcher-retry-0");
        groups.put(Retries.topic(1), "herald-dispatcher-retry-1");
        for (var entry : groups.entrySet()) {
            Map<TopicPartition, Long> ends = endOffsets(admin, entry.getKey());
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(entry.getValue())
                    .partitionsToOffsetAndMetadata()
                    .get();
            for (var end : ends.entrySet()) {
                OffsetAndMetadata at = committed.get(end.getKey());
                long position = at == null ? 0 : at.offset();
                if (position < end.getValue()) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        return admin.listOffsets(partitions).all().get().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private static PushDelivery ofEvent(UUID eventId, String user, String token, Provider provider) {
        PushDelivery d = TestDeliveries.like(user, token, provider);
        d = TestDeliveries.with(d, "eventId", eventId);
        d = TestDeliveries.with(d, "notificationId", Ids.notificationId(eventId, user));
        return TestDeliveries.with(d, "deliveryId", Ids.deliveryId(eventId, user, token));
    }

    private JsonNode get(UUID... eventIds) throws IOException, InterruptedException {
        String query =
                java.util.Arrays.stream(eventIds).map(id -> "eventId=" + id).collect(Collectors.joining("&"));
        HttpResponse<String> response = call("/internal/v1/deliveries?" + query);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return HeraldJson.mapper().readTree(response.body());
    }

    private static Map<UUID, JsonNode> byDeliveryId(JsonNode deliveries) {
        Map<UUID, JsonNode> rows = new HashMap<>();
        deliveries.forEach(r -> rows.put(UUID.fromString(r.path("deliveryId").asString()), r));
        return rows;
    }

    private HttpResponse<String> call(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(uri(pathAndQuery))
                        .header("X-Herald-Internal-Token", ServiceInfrastructure.INTERNAL_SECRET)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    private static void publish(PushDelivery delivery) {
        try {
            producer.send(new ProducerRecord<>(
                            Topics.PUSH, delivery.userId(), HeraldJson.mapper().writeValueAsBytes(delivery)))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitReceived(String token) {
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> fcm.received().stream()
                                .filter(r ->
                                        r.message().path("token").asString().equals(token))
                                .findFirst(),
                        Optional::isPresent);
    }
}
