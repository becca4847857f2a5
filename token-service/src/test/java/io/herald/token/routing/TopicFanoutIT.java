package io.herald.token.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.HeraldJson;
import io.herald.events.InAppNotification;
import io.herald.events.PushDelivery;
import io.herald.events.Topics;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.token.TestTopics;
import io.herald.token.TokenApplication;
import io.herald.token.TokenServiceClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Topics through the real broker and database: subscriptions through the internal API (the limit, bad names, an app's
 * bulk change), and events naming topics fanned out in many small chunk records on {@code herald.topic-fanout.v1} to
 * every subscriber once, with preferences, the actor's rule and listed recipients honoured; a scheduled one when due;
 * a bad fan-out record dead-lettered alone. Small chunks ({@code chunk-size} 500, {@code plan-chunks} 8), so that a
 * topic of 12,000 takes many chunks and continuation plans.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TopicFanoutIT {

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("token_topics");

    static final TestTopics topics = new TestTopics(infra.bootstrapServers());
    static ConfigurableApplicationContext context;
    static TokenServiceClient api;
    static JdbcClient jdbc;

    @BeforeAll
    static void start() {
        context = TokenApplication.application()
                .run(infra.arguments(
                        "--server.port=0",
                        "--herald.token.topics.chunk-size=500",
                        "--herald.token.topics.plan-chunks=8",
                        "--herald.token.topics.max-per-user=3",
                        "--herald.token.schedule.poll-interval=200ms"));
        api = new TokenServiceClient(context.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
        jdbc = context.getBean(JdbcClient.class);
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
        topics.close();
    }

    @Test
    void aTopicOfTwelveThousandIsPushedToEverySubscriberOnceInManySmallChunks() {
        String topic = "big-" + UUID.randomUUID();
        int subscribers = 12_000;
        // One FCM device each, written straight to the tables: the API would take a minute.
        jdbc.sql("""
                        insert into token.topic_subscriptions (topic, user_id)
                        select :topic, :topic || '-user-' || lpad(i::text, 5, '0') from generate_series(1, :n) i
                        """).param("topic", topic).param("n", subscribers).update();
        jdbc.sql("""
                        insert into token.devices (device_id, user_id, provider, token, platform, registered_at, last_seen_at)
                        select gen_random_uuid(), user_id, 'fcm', 'token-' || user_id, 'android', now(), now()
                        from token.topic_subscriptions where topic = :topic
                        """).param("topic", topic).update();
        UUID eventId = UUID.randomUUID();

        topics.publish(eventId, event(eventId, List.of(), null, topic, null));

        await().atMost(Duration.ofSeconds(90))
                .until(() -> topics.pushesOf(eventId).size() >= subscribers);
        topics.recordsToEnd();
        Map<String, Long> pushes = topics.pushesOf(eventId).stream()
                .collect(Collectors.groupingBy(PushDelivery::userId, Collectors.counting()));
        assertThat(pushes).hasSize(subscribers);
        assertThat(pushes.values()).containsOnly(1L);
        assertThat(topics.inAppOf(eventId)).hasSize(subscribers);
        List<ConsumerRecord<String, byte[]>> work = fanoutRecordsOf(eventId);
        List<FanoutWork> chunks = work.stream()
                .map(r -> HeraldJson.mapper().readValue(r.value(), FanoutWork.class))
                .filter(w -> !w.plan())
                .toList();
        // 12,000 / 500: 24 ranges, laid out by 3 plan records (8 chunks each).
        assertThat(chunks).hasSize(24);
        assertThat(work).hasSize(24 + 3);
        assertThat(work).allSatisfy(r -> assertThat(r.value().length).isLessThan(4096));
        assertThat(chunks.stream().map(FanoutWork::from).distinct()).hasSize(24);
    }

    @Test
    void subscribersAreReachedAsRecipientsWithTheirPreferencesTheActorsRuleAndListedOnce() {
        String topic = "paris.flats:" + UUID.randomUUID();
        String run = UUID.randomUUID().toString();
        String fan = "fan-" + run;
        String muted = "muted-" + run;
        String actor = "actor-" + run;
        String listed = "listed-" + run;
        String deviceless = "deviceless-" + run;
        for (String user : List.of(fan, muted, actor, listed)) {
            api.register(user, "phone-" + user);
        }
        for (String user : List.of(fan, muted, actor, listed, deviceless)) {
            assertThat(subscribe(user, topic).statusCode()).isEqualTo(204);
        }
        assertThat(api.call(
                                "PUT",
                                "/internal/v1/users/" + muted + "/preferences",
                                "{\"muteAll\":false,\"mutedTypes\":[\"flat_listed\"]}")
                        .statusCode())
                .isEqualTo(200);
        UUID eventId = UUID.randomUUID();

        topics.publish(eventId, event(eventId, List.of(listed), actor, topic, null));

        await().atMost(Duration.ofSeconds(30))
                .until(() -> topics.pushesOf(eventId).size() >= 2
                        && topics.inAppOf(eventId).size() >= 3
                        && skipsOf(eventId).size() >= 3);
        topics.recordsToEnd();
        assertThat(topics.pushesOf(eventId)).extracting(PushDelivery::userId).containsExactlyInAnyOrder(fan, listed);
        assertThat(topics.inAppOf(eventId))
                .extracting(InAppNotification::userId)
                .containsExactlyInAnyOrder(fan, listed, deviceless);
        assertThat(skipsOf(eventId))
                .containsEntry(muted + "/push", "muted by preferences")
                .containsEntry(actor + "/all", "actor: no notification of one's own action")
                .containsEntry(deviceless + "/push", "no-active-devices");
    }

    @Test
    void aScheduledTopicEventIsHeldWholeAndFannedOutWhenDue() {
        String topic = "later-" + UUID.randomUUID();
        String fan = "later-fan-" + UUID.randomUUID();
        api.register(fan, "phone-" + fan);
        assertThat(subscribe(fan, topic).statusCode()).isEqualTo(204);
        UUID eventId = UUID.randomUUID();
        Instant deliverAt = Instant.now().plusSeconds(3);

        topics.publish(eventId, event(eventId, List.of(), null, topic, deliverAt));
        topics.awaitRouted();

        assertThat(Instant.now()).as("checked before it was due").isBefore(deliverAt);
        assertThat(fanoutRecordsOf(eventId)).isEmpty();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !topics.pushesOf(eventId).isEmpty());
        topics.recordsToEnd();
        assertThat(topics.pushesOf(eventId))
                .singleElement()
                .satisfies(p -> assertThat(p.userId()).isEqualTo(fan));
    }

    @Test
    void aBadFanoutRecordIsDeadLetteredAloneAndFanOutGoesOn() throws Exception {
        var props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        String badKey = "bad-" + UUID.randomUUID();
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(
                            Topics.TOPIC_FANOUT, badKey, "{\"not\":\"work\"".getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
        }
        String topic = "after-bad-" + UUID.randomUUID();
        String fan = "after-bad-fan-" + UUID.randomUUID();
        api.register(fan, "phone-" + fan);
        assertThat(subscribe(fan, topic).statusCode()).isEqualTo(204);
        UUID eventId = UUID.randomUUID();

        topics.publish(eventId, event(eventId, List.of(), null, topic, null));

        await().atMost(Duration.ofSeconds(30))
                .until(() -> !topics.pushesOf(eventId).isEmpty());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> read(Topics.TOPIC_FANOUT_DLT).stream().anyMatch(r -> badKey.equals(r.key())));
    }

    @Test
    void subscriptionsAreKeptPerUserWithinTheLimitAndBadNamesAreRefused() {
        String user = "reader-" + UUID.randomUUID();
        String run = UUID.randomUUID().toString().substring(0, 8);

        assertThat(subscribe(user, "a-" + run).statusCode()).isEqualTo(204);
        assertThat(subscribe(user, "a-" + run).statusCode()).as("idempotent").isEqualTo(204);
        assertThat(subscribe(user, "b-" + run).statusCode()).isEqualTo(204);
        assertThat(subscribe(user, "c-" + run).statusCode()).isEqualTo(204);
        HttpResponse<String> over = subscribe(user, "d-" + run);
        HttpResponse<String> bad = subscribe(user, "no%20spaces");
        HttpResponse<String> list = api.get("/internal/v1/users/" + user + "/topics?limit=2");
        HttpResponse<String> rest = api.get("/internal/v1/users/" + user + "/topics?limit=2&after="
                + TokenServiceClient.json(list).path("next").asString());

        assertThat(over.statusCode()).isEqualTo(409);
        assertThat(TokenServiceClient.json(over).path("type").asString())
                .isEqualTo("https://herald.dev/problems/too-many-subscriptions");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(TokenServiceClient.json(bad).path("type").asString())
                .isEqualTo("https://herald.dev/problems/invalid-topic");
        assertThat(topicsIn(list)).containsExactly("a-" + run, "b-" + run);
        assertThat(topicsIn(rest)).containsExactly("c-" + run);
        assertThat(TokenServiceClient.json(rest).path("next").isNull()).isTrue();

        assertThat(api.delete("/internal/v1/users/" + user + "/topics/b-" + run).statusCode())
                .isEqualTo(204);
        assertThat(api.delete("/internal/v1/users/" + user + "/topics/b-" + run).statusCode())
                .as("idempotent")
                .isEqualTo(204);
        assertThat(subscribe(user, "d-" + run).statusCode()).as("room again").isEqualTo(204);
        assertThat(topicsIn(api.get("/internal/v1/users/" + user + "/topics")))
                .containsExactly("a-" + run, "c-" + run, "d-" + run);
    }

    @Test
    void anAppChangesATopicsSubscribersInBulkWithinEachUsersLimit() {
        String topic = "bulk-" + UUID.randomUUID();
        String full = "full-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            assertThat(subscribe(full, "other-" + i + "-" + topic).statusCode()).isEqualTo(204);
        }
        String ann = "ann-" + UUID.randomUUID();
        String bob = "bob-" + UUID.randomUUID();

        var added = api.post(
                "/internal/v1/topics/" + topic + "/subscribers",
                "{\"add\":[\"" + ann + "\",\"" + bob + "\",\"" + full + "\"]}");
        var removed = api.post("/internal/v1/topics/" + topic + "/subscribers", "{\"remove\":[\"" + bob + "\"]}");
        var tooMany = api.post(
                "/internal/v1/topics/" + topic + "/subscribers", "{\"add\":[" + "\"x\",".repeat(1000) + "\"y\"]}");

        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        assertThat(TokenServiceClient.json(added).path("added").asInt()).isEqualTo(2);
        assertThat(TokenServiceClient.json(added).path("overLimit").get(0).asString())
                .isEqualTo(full);
        assertThat(TokenServiceClient.json(removed).path("removed").asInt()).isEqualTo(1);
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(jdbc.sql("select user_id from token.topic_subscriptions where topic = ?")
                        .param(topic)
                        .query(String.class)
                        .list())
                .containsExactly(ann);
    }

    private static HttpResponse<String> subscribe(String user, String topic) {
        return api.call("PUT", "/internal/v1/users/" + user + "/topics/" + topic, null);
    }

    private static List<String> topicsIn(HttpResponse<String> page) {
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        TokenServiceClient.json(page)
                .path("subscriptions")
                .forEach(s -> names.add(s.path("topic").asString()));
        return names;
    }

    /** The delivery log's skips of the event, as reason by user and channel. */
    private static Map<String, String> skipsOf(UUID eventId) {
        return jdbc
                .sql("select user_id || '/' || channel as k, reason from token.delivery_log where event_id = ?")
                .param(eventId)
                .query((rs, n) -> Map.entry(rs.getString("k"), rs.getString("reason")))
                .list()
                .stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a));
    }

    private static List<ConsumerRecord<String, byte[]>> fanoutRecordsOf(UUID eventId) {
        return read(Topics.TOPIC_FANOUT).stream()
                .filter(r -> r.key() != null && r.key().startsWith(eventId + "/"))
                .toList();
    }

    /** Every record of {@code topic} up to its end now. */
    private static List<ConsumerRecord<String, byte[]>> read(String topic) {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static String event(
            UUID eventId, List<String> recipients, @Nullable String actor, String topic, @Nullable Instant deliverAt) {
        return """
                {"eventId":"%s","schemaVersion":1,"type":"flat_listed","source":"estate",
                 "occurredAt":"2026-12-07T10:00:00Z",%s"recipients":%s,"topics":["%s"],
                 "title":"A new flat","body":"In Paris"%s}
                """.formatted(
                        eventId,
                        actor == null ? "" : "\"actor\":{\"id\":\"" + actor + "\",\"displayName\":\"Ann\"},",
                        recipients.stream().map(r -> "\"" + r + "\"").collect(Collectors.joining(",", "[", "]")),
                        topic,
                        deliverAt == null ? "" : ",\"deliverAt\":\"" + deliverAt + "\"");
    }
}
