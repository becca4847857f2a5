package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.events.ClientAction;
import io.herald.events.DeliveryStatus;
import io.herald.events.HeraldJson;
import io.herald.events.InAppNotification;
import io.herald.events.Topics;
import io.herald.testkit.ServiceInfrastructure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Two ws-fanout nodes in one JVM, sharing a real Kafka broker and a real PostgreSQL database. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SocketIT {

    private static final String SECRET = TestTokens.SECRET;

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("sockets");

    static ConfigurableApplicationContext nodeA;
    static ConfigurableApplicationContext nodeB;
    static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void startNodes() {
        nodeA = startNode("node-a");
        // Node B reports its socket writes on herald.delivery-status.v1 (off by default: LiveDeliveryIT).
        nodeB = TestNode.start(
                "node-b", infra.bootstrapServers(), infra.database(), "--herald.delivery-status.publish=true");
        producer = infra.producer();
    }

    /** A node whose live consumer owns its partitions (it starts at the newest record). */
    private static ConfigurableApplicationContext startNode(String nodeId) {
        return TestNode.start(nodeId, infra.bootstrapServers(), infra.database());
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        for (var node : new ConfigurableApplicationContext[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    void aUserOnNodeBReceivesItLiveTheInboxStoresItOnceAndItsWriteIsReported() {
        String user = "u-" + UUID.randomUUID();
        try (var socket = connect(nodeB, user)) {
            socket.next("unread_count");
            var n = publish(user, "Your product was liked");

            JsonNode live = socket.next("notification").path("notification");
            assertThat(live.path("id").asString()).isEqualTo(n.notificationId().toString());
            assertThat(live.path("title").asString()).isEqualTo("Your product was liked");
            assertThat(live.path("data").path("productId").asString()).isEqualTo("p-1");
            assertThat(live.path("read").asBoolean()).isFalse();

            await().atMost(Duration.ofSeconds(20)).until(() -> rows(n.notificationId()) == 1);
            JsonNode list =
                    socket.ask("{\"type\":\"get_notifications\",\"page\":1,\"page_size\":10}", "notifications_list");
            assertThat(list.path("total").asLong()).isEqualTo(1);
            assertThat(list.path("unread_count").asLong()).isEqualTo(1);
            assertThat(list.path("notifications").get(0).path("id").asString())
                    .isEqualTo(n.notificationId().toString());

            List<DeliveryStatus> statuses = await().atMost(Duration.ofSeconds(20))
                    .until(
                            () -> records(Topics.DELIVERY_STATUS, DeliveryStatus.class),
                            s -> s.stream().anyMatch(d -> n.notificationId().equals(d.notificationId())));
            DeliveryStatus delivered = statuses.stream()
                    .filter(d -> n.notificationId().equals(d.notificationId()))
                    .findFirst()
                    .orElseThrow();
            assertThat(delivered.outcome()).isEqualTo(DeliveryStatus.Outcome.DELIVERED);
            assertThat(delivered.userId()).isEqualTo(user);
        }
    }

    @Test
    void aUserConnectedToBothNodesGetsItOnBothSockets() {
        String user = "u-" + UUID.randomUUID();
        try (var onA = connect(nodeA, user);
                var onB = connect(nodeB, user);
                var secondOnB = connect(nodeB, user)) {
            onA.next("unread_count");
            onB.next("unread_count");
            secondOnB.next("unread_count");
            var n = publish(user, "hello everywhere");
            for (var socket : List.of(onA, onB, secondOnB)) {
                assertThat(socket.next("notification")
                                .path("notification")
                                .path("id")
                                .asString())
                        .isEqualTo(n.notificationId().toString());
            }
        }
    }

    @Test
    void aHandshakeWithoutAValidTokenIsRefused() {
        String url = url(nodeA);
        assertThatThrownBy(() -> TestSocket.connect(url, b -> {})).satisfies(TestSocket::isUnauthorized);
        assertThatThrownBy(() -> TestSocket.connect(
                        url,
                        b -> b.header(
                                "Authorization",
                                "Bearer " + jwt("x", "a-different-secret-of-at-least-32-bytes!!", 60))))
                .satisfies(TestSocket::isUnauthorized);
        assertThatThrownBy(() ->
                        TestSocket.connect(url, b -> b.header("Authorization", "Bearer " + jwt("x", SECRET, -60))))
                .satisfies(TestSocket::isUnauthorized);
        assertThatThrownBy(() -> TestSocket.connect(url, b -> b.header("Authorization", "Bearer not-a-jwt")))
                .satisfies(TestSocket::isUnauthorized);
    }

    @Test
    void browsersAuthenticateWithTheSubprotocolOrTheQueryParameter() {
        String user = "u-" + UUID.randomUUID();
        try (var viaProtocol = TestSocket.connect(
                        url(nodeA), b -> b.subprotocols("herald.v1", "bearer." + jwt(user, SECRET, 600)));
                var viaQuery = TestSocket.connect(url(nodeA) + "?token=" + jwt(user, SECRET, 600), b -> {})) {
            assertThat(viaProtocol
                            .ask("{\"type\":\"ping\",\"request_id\":\"r1\"}", "pong")
                            .path("request_id")
                            .asString())
                    .isEqualTo("r1");
            assertThat(viaQuery.ask("{\"type\":\"ping\"}", "pong")).isNotNull();
        }
    }

    @Test
    void aUserTouchesOnlyTheirOwnNotifications() {
        String owner = "owner-" + UUID.randomUUID();
        String intruder = "intruder-" + UUID.randomUUID();
        try (var ownerSocket = connect(nodeA, owner);
                var intruderSocket = connect(nodeB, intruder)) {
            var n = publish(owner, "private");
            ownerSocket.next("notification");
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(n.notificationId()) == 1);
            String id = n.notificationId().toString();

            JsonNode refusedRead = intruderSocket.ask("{\"type\":\"mark_read\",\"id\":\"" + id + "\"}", "error");
            assertThat(refusedRead.path("code").asString()).isEqualTo("not_found");
            JsonNode refusedDelete =
                    intruderSocket.ask("{\"type\":\"delete_notification\",\"id\":\"" + id + "\"}", "error");
            assertThat(refusedDelete.path("code").asString()).isEqualTo("not_found");
            intruderSocket.ask("{\"type\":\"mark_all_read\"}", "all_notifications_marked_read");
            assertThat(intruderSocket
                            .ask("{\"type\":\"get_notifications\"}", "notifications_list")
                            .path("total")
                            .asLong())
                    .isZero();

            JsonNode read =
                    ownerSocket.ask("{\"type\":\"mark_read\",\"id\":\"" + id + "\"}", "notification_marked_read");
            assertThat(read.path("unread_count").asLong()).isZero();
            ownerSocket.ask("{\"type\":\"delete_notification\",\"id\":\"" + id + "\"}", "notification_deleted");
            assertThat(rows(n.notificationId())).isZero();
        }
    }

    @Test
    void resumeReplaysWhatWasMissedWhileDisconnected() {
        String user = "u-" + UUID.randomUUID();
        var seen = publish(user, "seen");
        await().atMost(Duration.ofSeconds(20)).until(() -> rows(seen.notificationId()) == 1);
        var missed1 = publish(user, "missed 1");
        var missed2 = publish(user, "missed 2");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> rows(missed1.notificationId()) + rows(missed2.notificationId()) == 2);

        try (var socket = connect(nodeA, user)) {
            JsonNode resumed =
                    socket.ask("{\"type\":\"resume\",\"last_id\":\"" + seen.notificationId() + "\"}", "resumed");
            assertThat(resumed.path("replayed").asInt()).isEqualTo(2);
            List<String> replayed = List.of(
                    socket.next("notification").path("notification").path("id").asString(),
                    socket.next("notification").path("notification").path("id").asString());
            assertThat(replayed)
                    .containsExactlyInAnyOrder(
                            missed1.notificationId().toString(),
                            missed2.notificationId().toString());
        }
    }

    @Test
    void whenANodeStopsItsClientsReconnectToAnotherAndResumeMissNothing() {
        var nodeC = startNode("node-c");
        try {
            String user = "u-" + UUID.randomUUID();
            String lastSeen;
            try (var socket = connect(nodeC, user)) {
                var before = publish(user, "before the node stops");
                lastSeen = socket.next("notification")
                        .path("notification")
                        .path("id")
                        .asString();
                assertThat(lastSeen).isEqualTo(before.notificationId().toString());
                nodeC.close();
            }
            // Published while the client finds another node.
            List<String> missed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                missed.add(publish(user, "missed " + i).notificationId().toString());
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> missed.stream()
                                    .mapToLong(id -> rows(UUID.fromString(id)))
                                    .sum()
                            == 3);

            try (var socket = connect(nodeB, user)) {
                JsonNode resumed = socket.ask("{\"type\":\"resume\",\"last_id\":\"" + lastSeen + "\"}", "resumed");
                assertThat(resumed.path("replayed").asInt()).isEqualTo(3);
                List<String> replayed = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    replayed.add(socket.next("notification")
                            .path("notification")
                            .path("id")
                            .asString());
                }
                assertThat(replayed).containsExactlyInAnyOrderElementsOf(missed);
            }
        } finally {
            nodeC.close();
        }
    }

    @Test
    void aWorkResponseIsValidatedAndPublishedForUpstreamApps() {
        String user = "tech-" + UUID.randomUUID();
        try (var socket = connect(nodeA, user)) {
            JsonNode bad = socket.ask("{\"type\":\"work_response\",\"work_id\":\"\",\"accepted\":\"yes\"}", "error");
            assertThat(bad.path("code").asString()).isEqualTo("invalid_field");
            JsonNode unknown = socket.ask("{\"type\":\"launch_rockets\"}", "error");
            assertThat(unknown.path("code").asString()).isEqualTo("unknown_type");
            JsonNode garbage = socket.ask("{nope", "error");
            assertThat(garbage.path("code").asString()).isEqualTo("invalid_message");

            // Only work assigned to this user is answered (WorkResponseIT has the rest).
            var assigned = publish(user, "work_assigned", Map.of("work_id", "w-42"));
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(assigned.notificationId()) == 1);
            JsonNode ack = socket.ask(
                    "{\"type\":\"work_response\",\"work_id\":\"w-42\",\"accepted\":true}", "action_accepted");
            String actionId = ack.path("action_id").asString();

            ClientAction action = await().atMost(Duration.ofSeconds(20))
                    .until(
                            () -> records(Topics.CLIENT_ACTIONS, ClientAction.class).stream()
                                    .filter(a -> a.eventId().toString().equals(actionId))
                                    .findFirst(),
                            Optional::isPresent)
                    .orElseThrow();
            assertThat(action.userId()).isEqualTo(user);
            assertThat(action.action()).isEqualTo("work_response");
            assertThat(action.payload()).containsEntry("work_id", "w-42").containsEntry("accepted", "true");
        }
    }

    @Test
    void everyMessageTypeRefusesMalformedAndTypeConfusedFieldsWithAnErrorAndKeepsTheSocket() {
        String longText = "x".repeat(5_000); // under max-message-size (8 KB)
        String someId = UUID.randomUUID().toString();
        String longString = "\"" + longText + "\"";
        List<String> notPositiveIntegers = List.of("-1", "0", "1.5", "true", "{}", "[]", "\"\"", "\"1\"", longString);
        List<String> notIds = List.of("42", "1.5", "true", "{}", "[]", "\"\"", "\"not-a-uuid\"", longString);
        List<String> notBooleans = List.of("42", "null", "{}", "[]", "\"yes\"", "\"true\"");
        List<String> requests = new ArrayList<>(List.of(
                "",
                "{",
                "[]",
                "42",
                "null",
                "\"ping\"",
                "{\"type\":42}",
                "{\"type\":[]}",
                "{\"type\":{}}",
                "{\"type\":\"\"}",
                "{\"type\":\"" + longText + "\"}",
                "{\"no_type\":true}"));
        for (String value : notPositiveIntegers) {
            requests.add("{\"type\":\"get_notifications\",\"page\":" + value + "}");
            requests.add("{\"type\":\"get_notifications\",\"page_size\":" + value + "}");
        }
        for (String value : notIds) {
            requests.add("{\"type\":\"mark_read\",\"id\":" + value + "}");
            requests.add("{\"type\":\"delete_notification\",\"id\":" + value + "}");
            requests.add("{\"type\":\"resume\",\"last_id\":" + value + "}");
            requests.add("{\"type\":\"work_response\",\"work_id\":" + (value.equals("\"not-a-uuid\"") ? "null" : value)
                    + ",\"accepted\":true}");
        }
        for (String value : notBooleans) {
            requests.add("{\"type\":\"work_response\",\"work_id\":\"w-1\",\"accepted\":" + value + "}");
        }
        requests.add("{\"type\":\"get_notifications\",\"page_size\":1000}");
        requests.add("{\"type\":\"mark_read\",\"id\":\"not-a-uuid\"}");
        requests.add("{\"type\":\"mark_read\",\"id\":\"" + someId + "\"}");
        requests.add("{\"type\":\"delete_notification\",\"id\":\"" + someId + "\"}");
        requests.add("{\"type\":\"mark_read\"}");
        requests.add("{\"type\":\"work_response\"}");

        try (var socket = connect(nodeA, "fuzz-" + UUID.randomUUID())) {
            for (String request : requests) {
                JsonNode error;
                try {
                    error = socket.ask(request, "error");
                } catch (ConditionTimeoutException e) {
                    throw new AssertionError("no error answered " + request, e);
                }
                assertThat(error.path("code").asString())
                        .as(request.length() > 200 ? request.substring(0, 200) : request)
                        .isIn("invalid_message", "unknown_type", "invalid_field", "not_found");
                assertThat(error.path("message").asString()).isNotBlank();
            }
            // Still open and answering, with nothing else said on the way.
            assertThat(socket.ask("{\"type\":\"ping\",\"request_id\":\"after\"}", "pong")
                            .path("request_id")
                            .asString())
                    .isEqualTo("after");
            assertThat(socket.has("error")).isFalse();
        }
        // Over max-message-size: closed with 1009 (message too big), as RFC 6455 says.
        try (var socket = connect(nodeA, "fuzz-" + UUID.randomUUID())) {
            socket.send("{\"type\":\"ping\",\"request_id\":\"" + "x".repeat(9 * 1024) + "\"}");
            assertThat(socket.closeCode()).isEqualTo(1009);
        }
    }

    private static TestSocket connect(ConfigurableApplicationContext node, String user) {
        return TestNode.connect(node, user);
    }

    private static String url(ConfigurableApplicationContext node) {
        return TestNode.url(node);
    }

    static String jwt(String subject, String secret, long expiresInSeconds) {
        return TestTokens.jwt(subject, secret, expiresInSeconds);
    }

    private static InAppNotification publish(String user, String title) {
        return publish(user, "product_like", title, Map.of("productId", "p-1"));
    }

    private static InAppNotification publish(String user, String type, Map<String, String> data) {
        return publish(user, type, "title", data);
    }

    private static InAppNotification publish(String user, String type, String title, Map<String, String> data) {
        InAppNotification n = TestNode.notification(user, type, title, data);
        TestNode.publish(producer, n);
        return n;
    }

    private static long rows(UUID notificationId) {
        return nodeA.getBean(JdbcClient.class)
                .sql("select count(*) from inbox.notifications where notification_id = :id")
                .param("id", notificationId)
                .query(Long.class)
                .single();
    }

    private static <T> List<T> records(String topic, Class<T> type) {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<T> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            for (int polls = 0; polls < 10; polls++) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(300))) {
                    found.add(HeraldJson.mapper().readValue(record.value(), type));
                }
                if (!found.isEmpty() && consumer.assignment().size() > 0) {
                    break;
                }
            }
        }
        return found;
    }
}
