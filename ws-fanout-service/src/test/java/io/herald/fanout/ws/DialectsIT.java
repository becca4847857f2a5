package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.events.ClientAction;
import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.Topics;
import io.herald.testkit.ServiceInfrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The socket's dialects through a real socket, a real Kafka broker and a real PostgreSQL: the Django Channels inbox's
 * (on {@code /ws/notifications/}) and the work-assignment app's (on {@code /ws/work/provider/} and {@code
 * /ws/work/seeker/}), with reply routing on.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DialectsIT {

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("dialects");

    static ConfigurableApplicationContext node;
    static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void startNode() {
        node = TestNode.start(
                "dialects",
                infra.bootstrapServers(),
                infra.database(),
                "--herald.fanout.dialects.reply-routing=work_response",
                "--herald.fanout.dialects.default-source=work-app",
                "--herald.fanout.dialects.send-source=inbox-app");
        producer = infra.producer();
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void theChannelsFrontendGetsTheSeedsFramesAndItsConfirmations() {
        String user = "u-" + UUID.randomUUID();
        try (var socket = connect("/ws/notifications/?token=" + TestTokens.jwt(user))) {
            socket.next("unread_count");
            var n = publish(new InAppNotification(
                    Ids.notificationId(UUID.randomUUID(), "app", user),
                    UUID.randomUUID(),
                    1,
                    Instant.parse("2024-01-01T00:00:00Z"),
                    user,
                    "approval",
                    "Details Approved",
                    "Your details have been approved",
                    Map.of("form_type", "userdetail"),
                    null,
                    null,
                    "app",
                    "/profile/details",
                    null,
                    null,
                    null));

            JsonNode live = socket.next("notification").path("notification");
            assertThat(live.path("id").asString()).isEqualTo(n.notificationId().toString());
            assertThat(live.path("title").asString()).isEqualTo("Details Approved");
            assertThat(live.path("message").asString()).isEqualTo("Your details have been approved");
            assertThat(live.path("type").asString()).isEqualTo("approval");
            assertThat(live.path("read").asBoolean(true)).isFalse();
            assertThat(live.path("created_at").asString()).isEqualTo("2024-01-01T00:00:00Z");
            assertThat(live.path("data").path("form_type").asString()).isEqualTo("userdetail");
            assertThat(live.path("link").asString()).isEqualTo("/profile/details");
            assertThat(live.has("body")).isFalse();

            await().atMost(Duration.ofSeconds(20)).until(() -> rows(n.notificationId()) == 1);
            JsonNode list = socket.ask("{\"type\":\"get_notifications\"}", "notifications_list");
            assertThat(list.path("total").asLong()).isEqualTo(1);
            assertThat(list.path("unread_count").asLong()).isEqualTo(1);
            assertThat(list.path("notifications").get(0).path("message").asString())
                    .isEqualTo("Your details have been approved");

            JsonNode read = socket.ask(
                    "{\"type\":\"mark_read\",\"notification_id\":\"" + n.notificationId() + "\"}",
                    "notification_marked_read");
            assertThat(read.path("notification_id").asString())
                    .isEqualTo(n.notificationId().toString());
            assertThat(read.path("success").asBoolean()).isTrue();

            JsonNode all = socket.ask("{\"type\":\"mark_all_read\"}", "all_notifications_marked_read");
            assertThat(all.path("success").asBoolean()).isTrue();

            JsonNode deleted = socket.ask(
                    "{\"type\":\"delete_notification\",\"notification_id\":\"" + n.notificationId() + "\"}",
                    "notification_deleted");
            assertThat(deleted.path("notification_id").asString())
                    .isEqualTo(n.notificationId().toString());
            assertThat(deleted.path("success").asBoolean()).isTrue();

            JsonNode gone = socket.ask(
                    "{\"type\":\"delete_notification\",\"notification_id\":\"" + n.notificationId() + "\"}", "error");
            assertThat(gone.path("code").asString()).isEqualTo("not_found");
            assertThat(gone.path("success").asBoolean(true)).isFalse();
        }
    }

    @Test
    void sendNotificationPublishesAnEventAndAnswersWithTheRecipientsNotificationId() {
        String user = "1" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L);
        try (var socket = connect("/ws/notifications/?token=" + TestTokens.jwt(user))) {
            socket.next("unread_count");
            // Exactly as the seed's frontend sends it: "type" twice, user_id a number.
            socket.send("""
                    {"type": "send_notification", "user_id": %s, "title": "Title", "message": "Message",
                     "type": "approval", "data": {"order": 7, "note": "hi"}, "link": "/some/url"}""".formatted(user));
            JsonNode sent = socket.nextOf("notification_sent", "error");
            assertThat(sent.path("type").asString()).as(sent.toString()).isEqualTo("notification_sent");
            assertThat(sent.path("success").asBoolean()).isTrue();

            DomainEvent event = events().stream()
                    .filter(e -> e.recipients().equals(List.of(user)))
                    .findFirst()
                    .orElseThrow();
            assertThat(event.type()).isEqualTo("approval");
            assertThat(event.source()).isEqualTo("inbox-app");
            assertThat(event.title()).isEqualTo("Title");
            assertThat(event.body()).isEqualTo("Message");
            assertThat(event.link()).isEqualTo("/some/url");
            assertThat(event.data()).isEqualTo(Map.of("order", "7", "note", "hi"));
            // To oneself: no actor, since Herald never tells actors of their own events.
            assertThat(event.actor()).isNull();
            assertThat(sent.path("notification_id").asString())
                    .isEqualTo(Ids.notificationId(event.eventId(), "inbox-app", user)
                            .toString());

            JsonNode refused = socket.ask("""
                    {"type":"send_notification","user_id":"someone-else","title":"Hi","message":"there"}""", "error");
            assertThat(refused.path("code").asString()).isEqualTo("forbidden");
            assertThat(refused.path("success").asBoolean(true)).isFalse();
            assertThat(refused.path("request_type").asString()).isEqualTo("send_notification");

            JsonNode empty = socket.ask("{\"type\":\"send_notification\",\"user_id\":" + user + "}", "error");
            assertThat(empty.path("code").asString()).isEqualTo("invalid_field");
        }
    }

    @Test
    void sendNotificationIsOnlyTheChannelsDialects() {
        String user = "u-" + UUID.randomUUID();
        try (var socket = TestNode.connect(node, user)) {
            socket.next("unread_count");
            JsonNode refused = socket.ask(
                    "{\"type\":\"send_notification\",\"user_id\":\"" + user + "\",\"title\":\"x\"}", "error");
            assertThat(refused.path("code").asString()).isEqualTo("unknown_type");
        }
    }

    @Test
    void theProviderGetsFlatWorkFramesAndTheSeekerIsToldOfTheAnswer() {
        String seeker = "seeker-" + UUID.randomUUID();
        String provider = "provider-" + UUID.randomUUID();
        try (var providerSocket = connect("/ws/work/provider/?token=" + TestTokens.jwt(provider));
                var seekerSocket = connect("/ws/work/seeker/?token=" + TestTokens.jwt(seeker))) {
            providerSocket.next("unread_count");
            seekerSocket.next("unread_count");
            UUID eventId = UUID.randomUUID();
            var assigned = publish(new InAppNotification(
                    Ids.notificationId(eventId, "work-app", provider),
                    eventId,
                    1,
                    Instant.now(),
                    provider,
                    "work_assigned",
                    "New work assigned",
                    "Need help with painting work",
                    Map.of("work_id", "42", "service_type", "worker", "distance", "2.5km"),
                    new DomainEvent.Actor(seeker, "Sam"),
                    new DomainEvent.EventObject("42", "work", "Painting"),
                    "work-app",
                    null,
                    null,
                    null,
                    null));

            JsonNode frame = providerSocket.next("work_assigned");
            assertThat(frame.path("work_id").asString()).isEqualTo("42");
            assertThat(frame.path("service_type").asString()).isEqualTo("worker");
            assertThat(frame.path("notification_id").asString())
                    .isEqualTo(assigned.notificationId().toString());
            assertThat(frame.path("message").asString()).isEqualTo("Need help with painting work");
            assertThat(providerSocket.has("notification")).isFalse();

            // As the seed's JavaScript answers, at once (the inbox may not have stored it yet), with work_id as it
            // came; and once more with the id as a number.
            JsonNode ack = providerSocket.ask(
                    "{\"type\":\"work_response\",\"work_id\":\"42\",\"accepted\":true}", "action_accepted");
            assertThat(ack.path("work_id").asString()).isEqualTo("42");
            assertThat(ack.path("success").asBoolean()).isTrue();
            JsonNode asNumber = providerSocket.ask(
                    "{\"type\":\"work_response\",\"work_id\":42,\"accepted\":false}", "action_accepted");
            assertThat(asNumber.path("accepted").asBoolean(true)).isFalse();

            List<ClientAction> actions = clientActions(provider);
            assertThat(actions).extracting(a -> a.payload().get("accepted")).containsExactlyInAnyOrder("true", "false");
            DomainEvent reply = events().stream()
                    .filter(e -> e.recipients().equals(List.of(seeker))
                            && "true".equals(e.data().get("accepted")))
                    .findFirst()
                    .orElseThrow();
            assertThat(reply.type()).isEqualTo("work_response");
            assertThat(reply.source()).isEqualTo("work-app");
            assertThat(reply.actor()).isNotNull();
            assertThat(reply.actor().id()).isEqualTo(provider);
            assertThat(reply.object()).isEqualTo(new DomainEvent.EventObject("42", "work", "Painting"));
            assertThat(reply.data()).isEqualTo(Map.of("work_id", "42", "accepted", "true"));

            // What token-service would make of it reaches the seeker's socket, typed by what happened.
            publish(new InAppNotification(
                    Ids.notificationId(reply.eventId(), reply.source(), seeker),
                    reply.eventId(),
                    1,
                    Instant.now(),
                    seeker,
                    reply.type(),
                    "Work accepted",
                    "Someone accepted \"Painting\"",
                    reply.data(),
                    reply.actor(),
                    reply.object(),
                    reply.source(),
                    null,
                    null,
                    null,
                    null));
            JsonNode told = seekerSocket.next("work_response");
            assertThat(told.path("work_id").asString()).isEqualTo("42");
            assertThat(told.path("accepted").asString()).isEqualTo("true");

            JsonNode unknown =
                    providerSocket.ask("{\"type\":\"work_response\",\"work_id\":\"43\",\"accepted\":true}", "error");
            assertThat(unknown.path("code").asString()).isEqualTo("not_found");
        }
    }

    @Test
    void aSubprotocolOrAParameterChoosesTheDialectAndAnUnknownOneIsRefused() {
        String user = "u-" + UUID.randomUUID();
        String base = "ws://127.0.0.1:" + TestNode.port(node);
        try (var bySubprotocol = TestSocket.connect(
                base + "/ws/notifications",
                b -> b.subprotocols("herald.channels.v1", "bearer." + TestTokens.jwt(user)))) {
            bySubprotocol.next("unread_count");
            JsonNode error = bySubprotocol.ask("{\"type\":\"mark_read\",\"notification_id\":\"nope\"}", "error");
            assertThat(error.path("success").asBoolean(true)).isFalse();
        }
        try (var byParameter = TestSocket.connect(
                base + "/ws/notifications?dialect=channels&token=" + TestTokens.jwt(user), b -> {})) {
            byParameter.next("unread_count");
            assertThat(byParameter
                            .ask("{\"type\":\"mark_read\",\"id\":\"nope\"}", "error")
                            .has("success"))
                    .isTrue();
        }
        assertThatThrownBy(() -> TestSocket.connect(
                        base + "/ws/notifications?dialect=soap&token=" + TestTokens.jwt(user), b -> {}))
                .satisfies(thrown -> {
                    Throwable cause = thrown instanceof CompletionException ? thrown.getCause() : thrown;
                    assertThat(cause).isInstanceOf(WebSocketHandshakeException.class);
                    assertThat(((WebSocketHandshakeException) cause)
                                    .getResponse()
                                    .statusCode())
                            .isEqualTo(400);
                });
        // The answer to a browser is the subprotocol it asked for.
        WebSocket raw = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .subprotocols("herald.work.v1", "bearer." + TestTokens.jwt(user))
                .buildAsync(URI.create(base + "/ws/work/provider/"), new WebSocket.Listener() {})
                .join();
        try {
            assertThat(raw.getSubprotocol()).isEqualTo("herald.work.v1");
        } finally {
            raw.abort();
        }
    }

    @Test
    void heraldV1TakesNotificationIdForId() {
        String user = "u-" + UUID.randomUUID();
        try (var socket = TestNode.connect(node, user)) {
            socket.next("unread_count");
            var n = publish(TestNode.notification(user, "product_like", "liked", Map.of()));
            socket.next("notification");
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(n.notificationId()) == 1);
            JsonNode read = socket.ask(
                    "{\"type\":\"mark_read\",\"notification_id\":\"" + n.notificationId() + "\"}",
                    "notification_marked_read");
            assertThat(read.path("id").asString()).isEqualTo(n.notificationId().toString());
        }
    }

    private static TestSocket connect(String pathAndQuery) {
        return TestSocket.connect("ws://127.0.0.1:" + TestNode.port(node) + pathAndQuery, b -> {});
    }

    private static InAppNotification publish(InAppNotification n) {
        TestNode.publish(producer, n);
        return n;
    }

    private static long rows(UUID notificationId) {
        return node.getBean(JdbcClient.class)
                .sql("select count(*) from inbox.notifications where notification_id = :id")
                .param("id", notificationId)
                .query(Long.class)
                .single();
    }

    private static List<DomainEvent> events() {
        return records(Topics.EVENTS).stream()
                .map(r -> HeraldJson.mapper().readValue(r.value(), DomainEvent.class))
                .toList();
    }

    private static List<ClientAction> clientActions(String user) {
        return records(Topics.CLIENT_ACTIONS).stream()
                .filter(r -> user.equals(r.key()))
                .map(r -> HeraldJson.mapper().readValue(r.value(), ClientAction.class))
                .toList();
    }

    /** Every record of {@code topic} up to its end now (what was acknowledged before is there). */
    private static List<ConsumerRecord<String, byte[]>> records(String topic) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (var consumer = infra.consumer()) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(found::add);
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        return found;
    }
}
