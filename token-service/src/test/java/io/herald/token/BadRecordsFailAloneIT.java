package io.herald.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.Channel;
import io.herald.events.DeliveryStatus;
import io.herald.events.HeraldHeaders;
import io.herald.events.HeraldJson;
import io.herald.events.InAppNotification;
import io.herald.events.Provider;
import io.herald.events.TokenFeedback;
import io.herald.events.Topics;
import io.herald.testkit.ServiceInfrastructure;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;

/**
 * One bad record among sixty good ones, sent together so that they share a poll, on each topic token-service
 * consumes: the good ones are handled at once, the bad one alone is dead-lettered with its reason. "At once" is
 * well inside the 30 s for which a poll that fails as a whole is retried before being dead-lettered whole.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=token-service"})
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BadRecordsFailAloneIT {

    private static final int GOOD = 60;
    private static final Duration PROMPTLY = Duration.ofSeconds(20);

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("token");

    static KafkaProducer<String, byte[]> producer;
    static KafkaConsumer<String, byte[]> consumer;
    static final Map<String, List<ConsumerRecord<String, byte[]>>> seen = new ConcurrentHashMap<>();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @BeforeAll
    static void clients() {
        // The sixty-one records of a test leave in one produce request, so that the consumer fetches them together.
        producer = infra.producer(
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 200, ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024));
        consumer = infra.consumer();
        consumer.subscribe(
                List.of(Topics.INAPP, Topics.EVENTS_DLT, Topics.DELIVERY_STATUS_DLT, Topics.TOKEN_FEEDBACK_DLT));
    }

    @AfterAll
    static void close() {
        producer.close();
        consumer.close();
    }

    @Test
    void anEventWithANulInItsRecipientFailsAloneAndTheSixtyAroundItAreRoutedAtOnce() throws Exception {
        String run = UUID.randomUUID().toString();
        List<UUID> good = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < GOOD; i++) {
            UUID id = UUID.randomUUID();
            good.add(id);
            keys.add(id.toString());
            values.add(event(id, "user-" + run + "-" + i));
        }
        UUID bad = UUID.randomUUID();
        keys.add(GOOD / 2, bad.toString());
        values.add(GOOD / 2, event(bad, "nul\u0000" + run));

        sendTogether(Topics.EVENTS, keys, values);

        await().atMost(PROMPTLY).untilAsserted(() -> assertThat(inAppEventIds()).containsAll(good));
        ConsumerRecord<String, byte[]> dead =
                await().atMost(PROMPTLY).until(() -> deadLetter(Topics.EVENTS_DLT, bad.toString()), r -> r != null);
        assertThat(header(dead, HeraldHeaders.DLT_REASON_CODE)).isEqualTo("invalid-characters");
        assertThat(header(dead, HeraldHeaders.DLT_REASON)).contains("recipients[0] contains U+0000");
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).contains(bad.toString());
        assertThat(deadKeys(Topics.EVENTS_DLT)).doesNotContainAnyElementsOf(keysOf(good));
        assertThat(inAppEventIds()).doesNotContain(bad);
    }

    /**
     * The safety net under the rule: an event the database refuses for a reason no check at reading foresaw (here
     * a constraint the test puts on the delivery log) fails alone too.
     */
    @Test
    void anEventTheDatabaseRefusesFailsAloneAndTheSixtyAroundItAreRoutedAtOnce() throws Exception {
        String run = UUID.randomUUID().toString();
        String refusedUser = "refused-" + run;
        jdbc.sql("alter table token.delivery_log add constraint refuses_" + run.replace("-", "_")
                        + " check (user_id <> '" + refusedUser + "')")
                .update();
        List<UUID> good = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < GOOD; i++) {
            UUID id = UUID.randomUUID();
            good.add(id);
            keys.add(id.toString());
            values.add(event(id, "user-" + run + "-" + i));
        }
        UUID bad = UUID.randomUUID();
        keys.add(GOOD / 3, bad.toString());
        values.add(GOOD / 3, event(bad, refusedUser));

        sendTogether(Topics.EVENTS, keys, values);

        await().atMost(PROMPTLY).untilAsserted(() -> assertThat(inAppEventIds()).containsAll(good));
        ConsumerRecord<String, byte[]> dead =
                await().atMost(PROMPTLY).until(() -> deadLetter(Topics.EVENTS_DLT, bad.toString()), r -> r != null);
        assertThat(header(dead, HeraldHeaders.DLT_REASON_CODE)).isEqualTo("schema-violation");
        assertThat(header(dead, HeraldHeaders.DLT_REASON))
                .startsWith("refused by the database")
                .contains("refuses_" + run.replace("-", "_"));
        assertThat(deadKeys(Topics.EVENTS_DLT)).doesNotContainAnyElementsOf(keysOf(good));
        // Each good event's skip (its recipient has no device) is in the log, the refused one's is not.
        assertThat(jdbc.sql("select count(distinct event_id) from token.delivery_log where event_id in (:ids)")
                        .param("ids", good)
                        .query(Long.class)
                        .single())
                .isEqualTo(GOOD);
    }

    @Test
    void aStatusWithANulFailsAloneAndTheSixtyAroundItAreLoggedAtOnce() throws Exception {
        UUID eventId = UUID.randomUUID();
        List<UUID> good = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < GOOD; i++) {
            UUID delivery = UUID.randomUUID();
            good.add(delivery);
            values.add(status(eventId, delivery, null, Instant.now()));
        }
        UUID bad = UUID.randomUUID();
        values.add(GOOD / 2, status(eventId, bad, "bad\u0000reason", Instant.now()));
        // One key: one partition, in this order.
        sendTogether(Topics.DELIVERY_STATUS, Collections.nCopies(values.size(), eventId.toString()), values);

        await().atMost(PROMPTLY)
                .untilAsserted(
                        () -> assertThat(loggedDeliveries(eventId)).containsExactlyInAnyOrderElementsOf(keysOf(good)));
        ConsumerRecord<String, byte[]> dead = await().atMost(PROMPTLY)
                .until(() -> deadLetters(Topics.DELIVERY_STATUS_DLT, eventId.toString()), l -> !l.isEmpty())
                .getFirst();
        assertThat(header(dead, HeraldHeaders.DLT_REASON_CODE)).isEqualTo("invalid-characters");
        assertThat(header(dead, HeraldHeaders.DLT_REASON)).contains("reason contains U+0000");
        assertThat(HeraldJson.mapper().readTree(dead.value()).path("deliveryId").asString())
                .isEqualTo(bad.toString());
    }

    /** A time PostgreSQL's timestamptz cannot hold (its range ends in the year 294276): a data exception. */
    @Test
    void aStatusTheTableRefusesFailsAloneAndTheSixtyAroundItAreLoggedAtOnce() throws Exception {
        UUID eventId = UUID.randomUUID();
        List<UUID> good = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < GOOD; i++) {
            UUID delivery = UUID.randomUUID();
            good.add(delivery);
            values.add(status(eventId, delivery, null, Instant.now()));
        }
        UUID bad = UUID.randomUUID();
        values.add(GOOD / 4, status(eventId, bad, null, Instant.parse("+300000-01-01T00:00:00Z")));
        sendTogether(Topics.DELIVERY_STATUS, Collections.nCopies(values.size(), eventId.toString()), values);

        await().atMost(PROMPTLY)
                .untilAsserted(
                        () -> assertThat(loggedDeliveries(eventId)).containsExactlyInAnyOrderElementsOf(keysOf(good)));
        ConsumerRecord<String, byte[]> dead = await().atMost(PROMPTLY)
                .until(() -> deadLetters(Topics.DELIVERY_STATUS_DLT, eventId.toString()), l -> !l.isEmpty())
                .getFirst();
        assertThat(header(dead, HeraldHeaders.DLT_REASON_CODE)).isEqualTo("schema-violation");
        assertThat(header(dead, HeraldHeaders.DLT_REASON)).startsWith("refused by the delivery log");
        assertThat(HeraldJson.mapper().readTree(dead.value()).path("deliveryId").asString())
                .isEqualTo(bad.toString());
    }

    @Test
    void tokenFeedbackWithANulIsDeadLetteredAtOnceAndTheFeedbackAfterItApplied() throws Exception {
        String user = "feedback-" + UUID.randomUUID();
        String dead = "dead-token-" + UUID.randomUUID();
        var registered = call("POST", "/internal/v1/users/" + user + "/devices", """
                {"provider":"fcm","token":"%s","platform":"android"}""".formatted(dead));
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        String key = "same-partition-" + UUID.randomUUID();
        sendTogether(
                Topics.TOKEN_FEEDBACK,
                List.of(key, key),
                List.of(
                        HeraldJson.mapper()
                                .writeValueAsBytes(new TokenFeedback(
                                        null, 1, Instant.now(), Provider.FCM, "nul\u0000token", "UNREGISTERED", null)),
                        HeraldJson.mapper()
                                .writeValueAsBytes(new TokenFeedback(
                                        null, 1, Instant.now(), Provider.FCM, dead, "UNREGISTERED", null))));

        await().atMost(PROMPTLY)
                .until(() -> !jdbc.sql("select active from token.devices where token = :t")
                        .param("t", dead)
                        .query(Boolean.class)
                        .single());
        ConsumerRecord<String, byte[]> deadLetter =
                await().atMost(PROMPTLY).until(() -> deadLetter(Topics.TOKEN_FEEDBACK_DLT, key), r -> r != null);
        assertThat(header(deadLetter, HeraldHeaders.DLT_REASON_CODE)).isEqualTo("invalid-characters");
        assertThat(header(deadLetter, HeraldHeaders.DLT_REASON)).contains("token contains U+0000");
    }

    private static byte[] event(UUID eventId, String recipient) {
        return HeraldJson.mapper()
                .writeValueAsBytes(Map.of(
                        "eventId", eventId.toString(),
                        "schemaVersion", 1,
                        "type", "chat",
                        "source", "chat-app",
                        "occurredAt", "2026-11-24T10:00:00Z",
                        "recipients", List.of(recipient),
                        "title", "New message",
                        "body", "Hi"));
    }

    private static byte[] status(UUID eventId, UUID deliveryId, String reason, Instant at) {
        return HeraldJson.mapper()
                .writeValueAsBytes(new DeliveryStatus(
                        eventId,
                        1,
                        at,
                        "user",
                        Channel.PUSH,
                        UUID.randomUUID(),
                        deliveryId,
                        Provider.FCM,
                        DeliveryStatus.Outcome.SENT,
                        reason,
                        "dispatch-service"));
    }

    /** Sends the records without waiting between them, then waits for every acknowledgement. */
    private static void sendTogether(String topic, List<String> keys, List<byte[]> values) throws Exception {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            sends.add(producer.send(new ProducerRecord<>(topic, keys.get(i), values.get(i))));
        }
        producer.flush();
        for (var send : sends) {
            send.get(10, TimeUnit.SECONDS);
        }
    }

    private List<String> loggedDeliveries(UUID eventId) {
        return jdbc.sql("select delivery_key from token.delivery_log where event_id = :id")
                .param("id", eventId)
                .query(String.class)
                .list();
    }

    private static synchronized void poll() {
        consumer.poll(Duration.ofMillis(200))
                .forEach(r ->
                        seen.computeIfAbsent(r.topic(), t -> new ArrayList<>()).add(r));
    }

    private static synchronized Set<UUID> inAppEventIds() {
        poll();
        return seen.getOrDefault(Topics.INAPP, List.of()).stream()
                .map(r -> HeraldJson.mapper()
                        .readValue(r.value(), InAppNotification.class)
                        .eventId())
                .collect(Collectors.toSet());
    }

    private static synchronized List<ConsumerRecord<String, byte[]>> deadLetters(String topic, String key) {
        poll();
        return seen.getOrDefault(topic, List.of()).stream()
                .filter(r -> key.equals(r.key()))
                .toList();
    }

    private static ConsumerRecord<String, byte[]> deadLetter(String topic, String key) {
        List<ConsumerRecord<String, byte[]>> found = deadLetters(topic, key);
        return found.isEmpty() ? null : found.getFirst();
    }

    private static synchronized List<String> deadKeys(String topic) {
        poll();
        return seen.getOrDefault(topic, List.of()).stream()
                .map(ConsumerRecord::key)
                .toList();
    }

    private static List<String> keysOf(List<UUID> ids) {
        return ids.stream().map(UUID::toString).toList();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        assertThat(header).as(name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    private HttpResponse<String> call(String method, String path, String body) {
        return new TokenServiceClient(port).call(method, path, body);
    }
}
