package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.Change;
import io.herald.events.DomainEvent;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.Topics;
import io.herald.fanout.inbox.InboxStore;
import io.herald.testkit.ServiceInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The live path with the default settings, through the real broker, PostgreSQL and a real socket: socket writes are
 * counted, not reported on {@code herald.delivery-status.v1} ({@code herald.delivery-status.publish} off; SocketIT
 * has a node with it on), and a record token-service routes again (the same notification id at a new offset) is
 * shown once and leaves the inbox as it was.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LiveDeliveryIT {

    private static final String SOURCE = "shop";

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("live");

    static ConfigurableApplicationContext node;
    static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void startNode() {
        node = TestNode.start("live-a", infra.bootstrapServers(), infra.database());
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
    void socketWritesAreCountedAndNoDeliveryStatusIsPublished() throws Exception {
        String user = "u-" + UUID.randomUUID();
        double before = counter("herald.fanout.live.writes");
        try (var socket = TestNode.connect(node, user)) {
            socket.next("unread_count");
            InAppNotification n = notification(user, "written, not reported");
            TestNode.publish(producer, n);
            assertThat(socket.next("notification")
                            .path("notification")
                            .path("id")
                            .asString())
                    .isEqualTo(n.notificationId().toString());
            await().atMost(Duration.ofSeconds(10)).until(() -> counter("herald.fanout.live.writes") >= before + 1);
            // A status would follow its write within milliseconds (linger.ms 10): none comes.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> statusRecords() == 0);
        }
    }

    @Test
    void aNotificationRoutedAgainIsNotShownTwiceAndLeavesTheInboxAsItWas() {
        String user = "u-" + UUID.randomUUID();
        double repeatsBefore = counter("herald.fanout.live.repeats");
        try (var socket = TestNode.connect(node, user)) {
            socket.next("unread_count");
            InAppNotification n = notification(user, "once");
            RecordMetadata first = TestNode.publish(producer, n);
            assertThat(socket.next("notification")
                            .path("notification")
                            .path("id")
                            .asString())
                    .isEqualTo(n.notificationId().toString());
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(n.notificationId()) == 1);
            JsonNode read = socket.ask(
                    "{\"type\":\"mark_read\",\"id\":\"" + n.notificationId() + "\"}", "notification_marked_read");
            assertThat(read.path("unread_count").asLong()).isZero();
            Instant storedAt = createdAt(n.notificationId());

            // token-service routes the event again: the same notification, a new record.
            RecordMetadata again = TestNode.publish(producer, n);
            assertThat(again.offset()).isGreaterThan(first.offset());
            InAppNotification marker = notification(user, "marker");
            TestNode.publish(producer, marker);

            assertThat(socket.next("notification")
                            .path("notification")
                            .path("id")
                            .asString())
                    .as("the notification routed again is not pushed again")
                    .isEqualTo(marker.notificationId().toString());
            storedPast(again);
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(marker.notificationId()) == 1);
            assertThat(rows(n.notificationId())).isEqualTo(1);
            Map<String, Object> row =
                    jdbc().sql("""
                            select kafka_offset, read_at is not null as read from inbox.notifications
                            where notification_id = :id
                            """).param("id", n.notificationId()).query().singleRow();
            assertThat(row).containsEntry("kafka_offset", first.offset()).containsEntry("read", true);
            assertThat(createdAt(n.notificationId())).isEqualTo(storedAt);
            assertThat(node.getBean(InboxStore.class).unreadCount(user)).isEqualTo(1);
            assertThat(counter("herald.fanout.live.repeats")).isGreaterThanOrEqualTo(repeatsBefore + 1);
            assertThat(socket.has("notification")).isFalse();
        }
    }

    @Test
    void anUpdateOrAWithdrawalRoutedAgainIsNotShownTwiceButANewerUpdateIs() {
        String user = "u-" + UUID.randomUUID();
        try (var socket = TestNode.connect(node, user)) {
            socket.next("unread_count");
            InAppNotification n = notification(user, "v0");
            TestNode.publish(producer, n);
            socket.next("notification");

            InAppNotification update = change(n, Change.Kind.UPDATE, "v1");
            TestNode.publish(producer, update);
            assertThat(socket.next("notification_updated")
                            .path("notification")
                            .path("title")
                            .asString())
                    .isEqualTo("v1");
            TestNode.publish(producer, update);
            TestNode.publish(producer, change(n, Change.Kind.UPDATE, "v2"));
            assertThat(socket.next("notification_updated")
                            .path("notification")
                            .path("title")
                            .asString())
                    .as("the update routed again is skipped, the newer one shown")
                    .isEqualTo("v2");

            InAppNotification withdrawal = change(n, Change.Kind.WITHDRAW, "");
            TestNode.publish(producer, withdrawal);
            assertThat(socket.next("notification_withdrawn").path("id").asString())
                    .isEqualTo(n.notificationId().toString());
            TestNode.publish(producer, withdrawal);
            InAppNotification marker = notification(user, "marker");
            TestNode.publish(producer, marker);
            assertThat(socket.nextOf("notification_withdrawn", "notification_updated", "notification")
                            .path("notification")
                            .path("id")
                            .asString())
                    .as("the withdrawal routed again is not pushed again")
                    .isEqualTo(marker.notificationId().toString());
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(marker.notificationId()) == 1);
            assertThat(rows(n.notificationId())).isZero();
        }
    }

    private static InAppNotification notification(String user, String title) {
        UUID eventId = UUID.randomUUID();
        return new InAppNotification(
                Ids.notificationId(eventId, SOURCE, user),
                eventId,
                DomainEvent.SCHEMA_VERSION,
                Instant.now(),
                user,
                "order",
                title,
                "body of " + title,
                Map.of("orderId", "o-1"),
                null,
                null,
                SOURCE,
                null,
                null,
                null,
                null);
    }

    /** As token-service plans a change of {@code target}: its id, the change's own event id. */
    private static InAppNotification change(InAppNotification target, Change.Kind kind, String title) {
        return new InAppNotification(
                target.notificationId(),
                UUID.randomUUID(),
                DomainEvent.SCHEMA_VERSION,
                Instant.now(),
                target.userId(),
                "order",
                title,
                "",
                Map.of("herald.change", kind.wireName()),
                null,
                null,
                SOURCE,
                null,
                null,
                null,
                kind);
    }

    private static double counter(String name) {
        return node.getBean(MeterRegistry.class).counter(name).count();
    }

    /** Records on herald.delivery-status.v1, all partitions. */
    private static long statusRecords() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers()))) {
            var partitions = admin.describeTopics(java.util.List.of(Topics.DELIVERY_STATUS))
                    .allTopicNames()
                    .get()
                    .get(Topics.DELIVERY_STATUS)
                    .partitions();
            Map<TopicPartition, OffsetSpec> latest = partitions.stream()
                    .collect(Collectors.toMap(
                            p -> new TopicPartition(Topics.DELIVERY_STATUS, p.partition()), p -> OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get().values().stream()
                    .mapToLong(info -> info.offset())
                    .sum();
        }
    }

    /** Waits until the inbox writers have passed {@code at}. */
    private static void storedPast(RecordMetadata at) {
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        node.getBean(InboxStore.class).storedUpTo().getOrDefault(at.partition(), 0L) > at.offset());
    }

    private static JdbcClient jdbc() {
        return node.getBean(JdbcClient.class);
    }

    private static long rows(UUID notificationId) {
        return jdbc().sql("select count(*) from inbox.notifications where notification_id = :id")
                .param("id", notificationId)
                .query(Long.class)
                .single();
    }

    private static Instant createdAt(UUID notificationId) {
        return jdbc().sql("select created_at from inbox.notifications where notification_id = :id")
                .param("id", notificationId)
                .query(java.sql.Timestamp.class)
                .single()
                .toInstant();
    }
}
