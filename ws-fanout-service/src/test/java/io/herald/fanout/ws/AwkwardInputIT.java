package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.events.DomainEvent;
import io.herald.events.HeraldHeaders;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.Topics;
import io.herald.fanout.InboxClient;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.TestHttp;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * ws-fanout with user ids that need encoding (over the socket and in the internal inbox API's path), subjects with
 * control characters, and one bad in-app notification among sixty good ones in a poll.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=ws-fanout-service")
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AwkwardInputIT {

    private static final String SECRET = "an-hmac-secret-of-at-least-32-bytes-for-tests";
    private static final int GOOD = 60;
    private static final Duration PROMPTLY = Duration.ofSeconds(20);

    @RegisterExtension
    static final ServiceInfrastructure infra =
            ServiceInfrastructure.withKafkaAndDatabase("inbox").jwtSecretAt("herald.fanout.jwt.hmac-secret");

    static KafkaProducer<String, byte[]> producer;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("herald.fanout.ws.port", () -> "0");
    }

    @BeforeAll
    static void producer() {
        // A test's records leave in one produce request, so that the consumer fetches them together.
        producer = infra.producer(
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 200, ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024));
    }

    @AfterAll
    static void stop() {
        producer.close();
    }

    @LocalServerPort
    int internalPort;

    @Autowired
    SocketServer sockets;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @ParameterizedTest
    @ValueSource(
            strings = {
                "auth0|abc",
                "a+b@example.com",
                "google-oauth2|1/2",
                "100%",
                "with space",
                "émoji😀",
                "back\\slash;semi",
                "..",
            })
    void anyUserIdHasItsSocketAndItsInbox(String userId) {
        awaitLivePartitions();
        String user = userId.equals("..") ? userId : userId + "-" + UUID.randomUUID();
        try (var socket = connect(TestTokens.jwt(user, SECRET, 600))) {
            socket.next("unread_count");
            var first = notification(user, "first");
            var second = notification(user, "second");
            send(List.of(user, user), List.of(json(first), json(second)));

            assertThat(socket.next("notification")
                            .path("notification")
                            .path("id")
                            .asString())
                    .isEqualTo(first.notificationId().toString());
            await().atMost(PROMPTLY)
                    .untilAsserted(() -> assertThat(get(user, "").path("items")).hasSize(2));
            assertThat(get(user, "/unread-count").path("unreadCount").asLong()).isEqualTo(2);
            assertThat(call("POST", user, "/" + first.notificationId() + "/read")
                            .statusCode())
                    .isEqualTo(204);
            assertThat(get(user, "/unread-count").path("unreadCount").asLong()).isOne();
            assertThat(call("POST", user, "/read-all").body()).contains("\"updated\":1");
            assertThat(call("DELETE", user, "/" + second.notificationId()).statusCode())
                    .isEqualTo(204);
            assertThat(get(user, "").path("items")).hasSize(1);
            assertThat(jdbc.sql("select distinct user_id from inbox.notifications where notification_id = :id")
                            .param("id", first.notificationId())
                            .query(String.class)
                            .single())
                    .isEqualTo(user);
        }
    }

    @Test
    void aSubjectWithAControlCharacterOpensNoSocket() {
        for (String subject : List.of("nul\u0000user", "bell\u0007", "del\u007f")) {
            assertThatThrownBy(() -> connect(TestTokens.jwt(subject, SECRET, 600)))
                    .satisfies(TestSocket::isUnauthorized);
        }
    }

    @Test
    void aNotificationWithANulFailsAloneAndTheSixtyAroundItAreStoredAtOnce() throws Exception {
        String user = "batch-" + UUID.randomUUID();
        List<InAppNotification> good = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < GOOD; i++) {
            var n = notification(user, "good " + i);
            good.add(n);
            values.add(json(n));
        }
        var bad = notification(user, "nul \u0000 inside");
        values.add(GOOD / 2, json(bad));
        send(Collections.nCopies(values.size(), user), values);

        await().atMost(PROMPTLY).until(() -> stored(user) == GOOD);
        ConsumerRecord<String, byte[]> dead = deadLetter(user);
        assertThat(header(dead, HeraldHeaders.DLT_REASON_CODE)).isEqualTo("invalid-characters");
        assertThat(header(dead, HeraldHeaders.DLT_REASON)).contains("title contains U+0000");
        assertThat(HeraldJson.mapper()
                        .readValue(dead.value(), InAppNotification.class)
                        .notificationId())
                .isEqualTo(bad.notificationId());
    }

    /** A time PostgreSQL's timestamptz cannot hold (its range ends in the year 294276): a data exception. */
    @Test
    void aNotificationTheTableRefusesFailsAloneAndTheSixtyAroundItAreStoredAtOnce() throws Exception {
        String user = "batch-" + UUID.randomUUID();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < GOOD; i++) {
            values.add(json(notification(user, "good " + i)));
        }
        UUID eventId = UUID.randomUUID();
        var bad = new InAppNotification(
                Ids.notificationId(eventId, user),
                eventId,
                DomainEvent.SCHEMA_VERSION,
                Instant.parse("+300000-01-01T00:00:00Z"),
                user,
                "chat",
                "too far ahead",
                "body",
                Map.of(),
                null,
                null);
        values.add(GOOD / 3, json(bad));
        send(Collections.nCopies(values.size(), user), values);

        await().atMost(PROMPTLY).until(() -> stored(user) == GOOD);
        ConsumerRecord<String, byte[]> dead = deadLetter(user);
        assertThat(header(dead, HeraldHeaders.DLT_REASON_CODE)).isEqualTo("schema-violation");
        assertThat(header(dead, HeraldHeaders.DLT_REASON)).startsWith("refused by the inbox");
        assertThat(HeraldJson.mapper()
                        .readValue(dead.value(), InAppNotification.class)
                        .notificationId())
                .isEqualTo(bad.notificationId());
    }

    private void awaitLivePartitions() {
        var container = listeners.getListenerContainer("live-fanout");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> container != null
                        && container.getAssignedPartitions() != null
                        && !container.getAssignedPartitions().isEmpty());
    }

    private long stored(String user) {
        return jdbc.sql("select count(*) from inbox.notifications where user_id = :u")
                .param("u", user)
                .query(Long.class)
                .single();
    }

    private static InAppNotification notification(String user, String title) {
        return TestNode.notification(user, "chat", title, Map.of("chatId", "c-1"));
    }

    private static byte[] json(InAppNotification n) {
        return HeraldJson.mapper().writeValueAsBytes(n);
    }

    private static void send(List<String> keys, List<byte[]> values) {
        try {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                sends.add(producer.send(new ProducerRecord<>(Topics.INAPP, keys.get(i), values.get(i))));
            }
            producer.flush();
            for (var s : sends) {
                s.get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private TestSocket connect(String jwt) {
        return TestSocket.connect(
                "ws://127.0.0.1:" + sockets.port() + "/ws/notifications",
                b -> b.header("Authorization", "Bearer " + jwt));
    }

    private JsonNode get(String user, String rest) {
        return new InboxClient(internalPort).get(TestHttp.pathSegment(user), rest, 200);
    }

    private HttpResponse<String> call(String method, String user, String rest) {
        return new InboxClient(internalPort).call(method, TestHttp.pathSegment(user), rest);
    }

    /** The first record on the in-app dead-letter topic with {@code key}. */
    private static ConsumerRecord<String, byte[]> deadLetter(String key) {
        return infra.firstRecord(Topics.INAPP_DLT, key, PROMPTLY);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        assertThat(header).as("header %s", name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
