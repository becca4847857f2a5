package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.Channel;
import io.herald.events.DeadLetters;
import io.herald.events.DeliveryStatus;
import io.herald.events.DomainEvent;
import io.herald.events.HeraldHeaders;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.Platform;
import io.herald.events.Priority;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.events.TokenFeedback;
import io.herald.events.Topics;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.node.ObjectNode;

/**
 * Malformed, truncated, oversized and type-confused records on every topic Herald consumes, and well-formed ones
 * with a control character in one string, mixed with good events, through the whole pipeline: each bad record lands
 * on its topic's dead-letter topic with the reason in its headers, no consumer stops, and every good event's push
 * still reaches FCM.
 */
@ExtendWith(SharedDevStack.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TopicFuzzIT {

    private static final int GOOD_USERS = 5;

    /** Part of this class's users and tokens: the stack is shared, and they are this class's alone. */
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private static DevStack stack;

    @BeforeAll
    static void useTheSharedStack(DevStack shared) throws Exception {
        stack = shared;
        try (var http = HttpClient.newHttpClient()) {
            for (int user = 0; user < GOOD_USERS; user++) {
                InternalDevices.registerFcm(
                        http,
                        stack.urls().get("token-service"),
                        stack.internalSecret(),
                        "fuzz-user-" + RUN + "-" + user,
                        token(user));
            }
        }
    }

    /** Garbage any consumer must refuse, whatever it expects. */
    private static List<byte[]> garbage() {
        var random = new SplittableRandom(7);
        byte[] noise = new byte[2048];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (byte) random.nextInt(256);
        }
        byte[] oversized = new byte[900 * 1024];
        Arrays.fill(oversized, (byte) '{');
        return List.of(
                bytes("{"),
                bytes("{\"eventId\":\"" + UUID.randomUUID() + "\",\"type\":\"product_li"),
                bytes("[1,2,3]"),
                bytes("\"just a string\""),
                bytes("42"),
                bytes("null"),
                bytes("{}"),
                bytes("not json at all"),
                bytes("\u0000\u0001\u0002"),
                noise,
                oversized);
    }

    /** Well-formed JSON with fields of the wrong type or impossible values, per topic. */
    private static List<byte[]> typeConfused(String topic) {
        String id = UUID.randomUUID().toString();
        return switch (topic) {
            case Topics.EVENTS ->
                List.of(
                        bytes(
                                "{\"eventId\":\"not-a-uuid\",\"schemaVersion\":1,\"type\":\"product_like\","
                                        + "\"source\":\"fuzz\",\"occurredAt\":\"2026-11-25T00:00:00Z\",\"recipients\":[\"a\"]}"),
                        bytes("{\"eventId\":\"" + id + "\",\"schemaVersion\":1,\"type\":\"product_like\","
                                + "\"source\":\"fuzz\",\"occurredAt\":\"yesterday\",\"recipients\":[\"a\"]}"),
                        bytes("{\"eventId\":\"" + id + "\",\"schemaVersion\":1,\"type\":\"product_like\","
                                + "\"source\":\"fuzz\",\"occurredAt\":\"2026-11-25T00:00:00Z\",\"recipients\":\"a\"}"),
                        bytes("{\"eventId\":\"" + id + "\",\"schemaVersion\":1,\"type\":\"product_like\","
                                + "\"source\":\"fuzz\",\"occurredAt\":\"2026-11-25T00:00:00Z\",\"recipients\":[\"a\"],"
                                + "\"data\":{\"nested\":{\"too\":\"deep\"}}}"));
            case Topics.PUSH ->
                List.of(
                        bytes("{\"deliveryId\":\"not-a-uuid\",\"provider\":\"FCM\",\"token\":\"t\"}"),
                        bytes("{\"deliveryId\":\"" + id + "\",\"eventId\":\"" + id + "\",\"userId\":\"u\","
                                + "\"provider\":\"CARRIER_PIGEON\",\"token\":\"t\"}"),
                        bytes("{\"deliveryId\":\"" + id + "\",\"eventId\":\"" + id + "\",\"userId\":\"u\","
                                + "\"provider\":\"FCM\"}"));
            case Topics.INAPP ->
                List.of(
                        bytes("{\"notificationId\":\"not-a-uuid\",\"userId\":\"u\"}"),
                        bytes("{\"notificationId\":\"" + id + "\",\"userId\":[\"u\"],\"createdAt\":\"soon\"}"));
            case Topics.TOKEN_FEEDBACK ->
                List.of(
                        bytes("{\"provider\":\"CARRIER_PIGEON\",\"token\":\"t\"}"),
                        bytes("{\"provider\":\"FCM\",\"token\":{\"not\":\"a string\"}}"));
            case Topics.DELIVERY_STATUS ->
                List.of(
                        bytes("{\"eventId\":\"not-a-uuid\",\"outcome\":\"SENT\"}"),
                        bytes("{\"eventId\":\"" + id + "\",\"deliveryId\":\"" + id + "\",\"outcome\":\"TELEPORTED\"}"));
            default -> throw new IllegalArgumentException(topic);
        };
    }

    @Test
    void everyBadRecordIsDeadLetteredWithItsReasonAndEveryGoodEventIsStillDelivered() throws Exception {
        List<String> topics =
                List.of(Topics.EVENTS, Topics.PUSH, Topics.INAPP, Topics.TOKEN_FEEDBACK, Topics.DELIVERY_STATUS);
        Map<String, String> badKeys = new LinkedHashMap<>(); // key -> topic
        List<String> goodEvents = new ArrayList<>();
        var props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            int good = 0;
            for (String topic : topics) {
                List<byte[]> bad = new ArrayList<>(garbage());
                bad.addAll(typeConfused(topic));
                for (byte[] value : bad) {
                    String key = "fuzz-" + UUID.randomUUID();
                    badKeys.put(key, topic);
                    producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
                    // A good event after every bad record, on the same partitions' consumers.
                    goodEvents.add(publishGood(producer, good++ % GOOD_USERS));
                }
                // A record with no value at all.
                String key = "fuzz-" + UUID.randomUUID();
                badKeys.put(key, topic);
                producer.send(new ProducerRecord<String, byte[]>(topic, key, null))
                        .get(30, TimeUnit.SECONDS);
                goodEvents.add(publishGood(producer, good++ % GOOD_USERS));
            }
        }

        Map<String, ConsumerRecord<String, byte[]>> deadLettered = new ConcurrentHashMap<>();
        var c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "fuzz-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 2 * 1024 * 1024);
        try (var consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(topics.stream().map(t -> t + "-dlt").toList());
            await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.key() != null && badKeys.containsKey(record.key())) {
                        deadLettered.putIfAbsent(record.key(), record);
                    }
                }
                assertThat(badKeys.keySet())
                        .as("bad records not (yet) dead-lettered")
                        .allMatch(deadLettered::containsKey);
            });
        }
        List<String> unclassified = new ArrayList<>();
        badKeys.forEach((key, topic) -> {
            ConsumerRecord<String, byte[]> dead = deadLettered.get(key);
            assertThat(dead.topic()).isEqualTo(topic + "-dlt");
            assertThat(header(dead, HeraldHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(topic);
            assertThat(header(dead, HeraldHeaders.DLT_REASON_CODE)).isNotBlank();
            assertThat(header(dead, HeraldHeaders.DLT_REASON)).isNotBlank();
            // Classified: bad input is named for what is wrong with it, not as a failure of Herald's.
            if (DeadLetters.PROCESSING_FAILED.equals(header(dead, HeraldHeaders.DLT_REASON_CODE))) {
                unclassified.add(topic + ": " + header(dead, HeraldHeaders.DLT_REASON) + " (value "
                        + (dead.value() == null ? "none" : abbreviated(dead.value())) + ")");
            }
        });
        assertThat(unclassified)
                .as("bad records dead-lettered as processing-failed")
                .isEmpty();

        // Nothing stopped: every good event mixed in with the garbage reached FCM.
        await().atMost(Duration.ofMinutes(2))
                .untilAsserted(() -> assertThat(stack.fcm().received())
                        .extracting(r ->
                                r.message().path("data").path("herald.eventId").asString(""))
                        .containsAll(goodEvents));
    }

    /**
     * Herald's rule for text on every topic it consumes: a well-formed record with a control character in any one
     * of its strings (each field in turn, map keys too, ids and times included) is dead-lettered with reason code
     * {@code invalid-characters} naming that field, and the good event published after each is still delivered.
     */
    @Test
    void aControlCharacterInAnyStringOfAnyConsumedRecordIsDeadLetteredNamingTheField() throws Exception {
        Map<String, String> topicOf = new LinkedHashMap<>(); // key -> topic
        Map<String, String> fieldOf = new LinkedHashMap<>(); // key -> what the reason must name
        List<String> goodEvents = new ArrayList<>();
        var props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            int good = 0;
            int n = 0;
            for (Map.Entry<String, ObjectNode> wellFormed : wellFormedRecords().entrySet()) {
                for (ControlCharacters.Variant variant :
                        ControlCharacters.variants(wellFormed.getValue(), CONTROLS.get(n++ % CONTROLS.size()))) {
                    String key = "text-" + UUID.randomUUID();
                    topicOf.put(key, wellFormed.getKey());
                    fieldOf.put(key, variant.named());
                    producer.send(new ProducerRecord<>(wellFormed.getKey(), key, variant.value()))
                            .get(30, TimeUnit.SECONDS);
                    goodEvents.add(publishGood(producer, good++ % GOOD_USERS));
                }
            }
        }
        assertThat(topicOf.values())
                .as("every consumed topic")
                .containsAll(List.of(
                        Topics.EVENTS, Topics.PUSH, Topics.INAPP, Topics.TOKEN_FEEDBACK, Topics.DELIVERY_STATUS));

        Map<String, String> described = new LinkedHashMap<>();
        topicOf.forEach((key, topic) -> described.put(key, topic + " " + fieldOf.get(key)));
        Map<String, ConsumerRecord<String, byte[]>> deadLettered = deadLetters(topicOf, described);
        List<String> wrong = new ArrayList<>();
        topicOf.forEach((key, topic) -> {
            ConsumerRecord<String, byte[]> dead = deadLettered.get(key);
            String code = header(dead, HeraldHeaders.DLT_REASON_CODE);
            String reason = header(dead, HeraldHeaders.DLT_REASON);
            if (!dead.topic().equals(topic + "-dlt")
                    || !"invalid-characters".equals(code)
                    || reason == null
                    || !reason.contains(fieldOf.get(key) + " contains U+00")) {
                wrong.add(topic + " " + fieldOf.get(key) + ": " + code + " " + reason);
            }
        });
        assertThat(wrong)
                .as("dead-lettered without naming the character and the field")
                .isEmpty();

        await().atMost(Duration.ofMinutes(2))
                .untilAsserted(() -> assertThat(stack.fcm().received())
                        .extracting(r ->
                                r.message().path("data").path("herald.eventId").asString(""))
                        .containsAll(goodEvents));
    }

    /** The control characters the variants carry in turn: NUL first, then others the rule forbids. */
    private static final List<Character> CONTROLS =
            List.of('\u0000', '\u0001', '\u0007', '\u0008', '\u000b', '\u001b', '\u001f', '\u007f');

    /** One well-formed record per consumed topic, every field filled in. */
    private static Map<String, ObjectNode> wellFormedRecords() {
        UUID eventId = UUID.randomUUID();
        Instant at = Instant.now();
        UUID notificationId = Ids.notificationId(eventId, "fuzz-text-user");
        var actor = new DomainEvent.Actor("bob", "Bob");
        var object = new DomainEvent.EventObject("p-1", "product", "Red bike");
        Map<String, ObjectNode> records = new LinkedHashMap<>();
        records.put(
                Topics.EVENTS,
                tree(new DomainEvent(
                        eventId,
                        1,
                        "product_like",
                        "fuzz",
                        at,
                        actor,
                        List.of("fuzz-text-user"),
                        object,
                        Map.of("productId", "p-1"),
                        "A title",
                        "A body",
                        Priority.HIGH,
                        3600,
                        "collapse",
                        Set.of(Channel.PUSH))));
        records.put(
                Topics.PUSH,
                tree(new PushDelivery(
                        Ids.deliveryId(eventId, "fuzz-text-user", "fcm-token-fuzz-text"),
                        notificationId,
                        eventId,
                        1,
                        at,
                        "fuzz-text-user",
                        "product_like",
                        Provider.FCM,
                        "fcm-token-fuzz-text",
                        Platform.ANDROID,
                        "A title",
                        "A body",
                        Map.of("productId", "p-1"),
                        Priority.HIGH,
                        3600,
                        "collapse",
                        "social",
                        "default")));
        records.put(
                Topics.INAPP,
                tree(new InAppNotification(
                        notificationId,
                        eventId,
                        1,
                        at,
                        "fuzz-text-user",
                        "product_like",
                        "A title",
                        "A body",
                        Map.of("productId", "p-1"),
                        actor,
                        object)));
        records.put(
                Topics.TOKEN_FEEDBACK,
                tree(new TokenFeedback(
                        eventId, 1, at, Provider.FCM, "fcm-token-fuzz-text", "UNREGISTERED", UUID.randomUUID())));
        records.put(
                Topics.DELIVERY_STATUS,
                tree(new DeliveryStatus(
                        eventId,
                        1,
                        at,
                        "fuzz-text-user",
                        Channel.PUSH,
                        notificationId,
                        UUID.randomUUID(),
                        Provider.FCM,
                        DeliveryStatus.Outcome.FAILED,
                        "UNAVAILABLE",
                        "dispatch-service")));
        return records;
    }

    private static ObjectNode tree(Object record) {
        return HeraldJson.mapper().valueToTree(record);
    }

    /**
     * The dead letters of {@code keys} (key -> original topic), waiting until every one is there; {@code described}
     * says what each key was, for the failure message.
     */
    private static Map<String, ConsumerRecord<String, byte[]>> deadLetters(
            Map<String, String> keys, Map<String, String> described) {
        Map<String, ConsumerRecord<String, byte[]>> deadLettered = new ConcurrentHashMap<>();
        var c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "fuzz-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 2 * 1024 * 1024);
        try (var consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(
                    keys.values().stream().distinct().map(t -> t + "-dlt").toList());
            await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.key() != null && keys.containsKey(record.key())) {
                        deadLettered.putIfAbsent(record.key(), record);
                    }
                }
                assertThat(keys.keySet().stream()
                                .filter(key -> !deadLettered.containsKey(key))
                                .map(described::get))
                        .as("bad records not (yet) dead-lettered")
                        .isEmpty();
            });
        }
        return deadLettered;
    }

    private static String publishGood(KafkaProducer<String, byte[]> producer, int user) throws Exception {
        UUID eventId = Ids.newEventId();
        String event = """
                {"eventId":"%s","schemaVersion":1,"type":"product_like","source":"fuzz","occurredAt":"%s",
                 "actor":{"id":"bob","displayName":"Bob"},"recipients":["fuzz-user-%s-%d"],
                 "object":{"id":"p-1","kind":"product","title":"Red bike"}}""".formatted(eventId, Instant.now(), RUN, user);
        producer.send(new ProducerRecord<>(Topics.EVENTS, eventId.toString(), bytes(event)))
                .get(30, TimeUnit.SECONDS);
        return eventId.toString();
    }

    private static String abbreviated(byte[] value) {
        String text = new String(value, StandardCharsets.UTF_8);
        return text.length() > 120 ? text.substring(0, 120) + "..." : text;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String token(int user) {
        return "fcm-token-fuzz-" + RUN + "-" + user;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
