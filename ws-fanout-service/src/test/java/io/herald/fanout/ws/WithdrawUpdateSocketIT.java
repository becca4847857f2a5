package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.Change;
import io.herald.events.DomainEvent;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.testkit.ServiceInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Withdrawals and updates ({@link InAppNotification#change()}) through the real broker, the inbox in PostgreSQL and a
 * real socket on a ws-fanout node: what the herald.v1 client gets, and what its inbox holds after.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WithdrawUpdateSocketIT {

    private static final String SOURCE = "marketplace";

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("withdraw");

    static ConfigurableApplicationContext node;
    static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void startNode() {
        node = TestNode.start("withdraw-a", infra.bootstrapServers(), infra.database());
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
    void aWithdrawalByIdRemovesTheItemFromTheSocketAndTheInboxAndARedeliveryChangesNothing() {
        String user = "u-" + UUID.randomUUID();
        try (var socket = TestNode.connect(node, user)) {
            socket.next("unread_count");
            InAppNotification kept = notification(user, "kept", "job-1", Instant.now());
            InAppNotification original = notification(user, "Job offer", "job-2", Instant.now());
            TestNode.publish(producer, kept);
            TestNode.publish(producer, original);
            socket.next("notification");
            JsonNode shown = socket.next("notification").path("notification");
            assertThat(shown.path("id").asString())
                    .isEqualTo(original.notificationId().toString());
            assertThat(shown.path("link").asString()).isEqualTo("app://jobs/job-2");
            assertThat(shown.path("image_url").asString()).isEqualTo("https://img.example/job-2.png");
            assertThat(shown.path("collapse_key").asString()).isEqualTo("job-2");
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(original.notificationId()) == 1);

            InAppNotification withdrawal = withdrawById(original);
            TestNode.publish(producer, withdrawal);

            JsonNode withdrawn = socket.next("notification_withdrawn");
            assertThat(withdrawn.path("id").asString())
                    .isEqualTo(original.notificationId().toString());
            assertThat(withdrawn.has("collapse_key")).isFalse();
            assertThat(withdrawn.path("position").asString()).contains(":");
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(original.notificationId()) == 0);
            JsonNode list =
                    socket.ask("{\"type\":\"get_notifications\",\"page\":1,\"page_size\":10}", "notifications_list");
            assertThat(list.path("total").asLong()).isEqualTo(1);
            assertThat(list.path("unread_count").asLong()).isEqualTo(1);
            assertThat(list.path("notifications").get(0).path("id").asString())
                    .isEqualTo(kept.notificationId().toString());

            // Redelivered, both: the withdrawal deletes nothing more, the notification is neither stored again
            // nor shown again.
            TestNode.publish(producer, withdrawal);
            TestNode.publish(producer, original);
            InAppNotification marker = notification(user, "marker", null, Instant.now());
            TestNode.publish(producer, marker);
            assertThat(socket.next("notification")
                            .path("notification")
                            .path("id")
                            .asString())
                    .as("the redelivered withdrawn notification is not pushed")
                    .isEqualTo(marker.notificationId().toString());
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(marker.notificationId()) == 1);
            assertThat(rows(original.notificationId())).isZero();
            assertThat(unread(user)).isEqualTo(2);
        }
    }

    @Test
    void aWithdrawalThatArrivesBeforeItsNotificationKeepsItOutOfTheInboxAndOffTheSocket() {
        String user = "u-" + UUID.randomUUID();
        try (var socket = TestNode.connect(node, user)) {
            socket.next("unread_count");
            InAppNotification late = notification(user, "routed late", "job-3", Instant.now());
            TestNode.publish(producer, withdrawById(late));
            assertThat(socket.next("notification_withdrawn").path("id").asString())
                    .isEqualTo(late.notificationId().toString());
            TestNode.publish(producer, late);
            InAppNotification marker = notification(user, "marker", null, Instant.now());
            TestNode.publish(producer, marker);
            assertThat(socket.next("notification")
                            .path("notification")
                            .path("id")
                            .asString())
                    .isEqualTo(marker.notificationId().toString());
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(marker.notificationId()) == 1);
            assertThat(rows(late.notificationId())).isZero();
        }
    }

    @Test
    void aWithdrawalByCollapseKeyRemovesOnlyThatAppsItemsWithTheKeyThatCameBeforeIt() {
        String user = "u-" + UUID.randomUUID();
        Instant earlier = Instant.now().minusSeconds(60);
        InAppNotification first = notification(user, "first", "thread-7", earlier);
        InAppNotification second = notification(user, "second", "thread-7", earlier.plusSeconds(1));
        InAppNotification otherKey = notification(user, "other key", "thread-8", earlier);
        InAppNotification otherApp = withSource(notification(user, "other app", "thread-7", earlier), "booking");
        InAppNotification afterIt =
                notification(user, "after it", "thread-7", Instant.now().plusSeconds(60));
        try (var socket = TestNode.connect(node, user)) {
            socket.next("unread_count");
            for (InAppNotification n : new InAppNotification[] {first, second, otherKey, otherApp}) {
                TestNode.publish(producer, n);
                socket.next("notification");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> count(user) == 4);

            UUID withdrawEvent = UUID.randomUUID();
            InAppNotification withdrawal = change(
                    Ids.notificationId(withdrawEvent, SOURCE, user),
                    withdrawEvent,
                    user,
                    "thread-7",
                    Change.Kind.WITHDRAW,
                    "",
                    "",
                    Map.of());
            TestNode.publish(producer, withdrawal);
            JsonNode withdrawn = socket.next("notification_withdrawn");
            assertThat(withdrawn.path("collapse_key").asString()).isEqualTo("thread-7");
            assertThat(withdrawn.path("source").asString()).isEqualTo(SOURCE);
            assertThat(withdrawn.has("id")).isFalse();

            // A notification with the key that occurred after the withdrawal is a new one.
            TestNode.publish(producer, afterIt);
            assertThat(socket.next("notification")
                            .path("notification")
                            .path("id")
                            .asString())
                    .isEqualTo(afterIt.notificationId().toString());
            // The two withdrawn ones, redelivered, are neither stored nor shown again.
            TestNode.publish(producer, first);
            TestNode.publish(producer, second);
            InAppNotification marker = notification(user, "marker", null, Instant.now());
            TestNode.publish(producer, marker);
            assertThat(socket.next("notification")
                            .path("notification")
                            .path("id")
                            .asString())
                    .isEqualTo(marker.notificationId().toString());
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(marker.notificationId()) == 1);
            assertThat(ids(user))
                    .containsExactlyInAnyOrder(
                            otherKey.notificationId(),
                            otherApp.notificationId(),
                            afterIt.notificationId(),
                            marker.notificationId());
            assertThat(unread(user)).isEqualTo(4);
        }
    }

    @Test
    void anUpdateReplacesTheWordsOfAStoredItemOnlyAndTheSocketIsTold() {
        String user = "u-" + UUID.randomUUID();
        try (var socket = TestNode.connect(node, user)) {
            socket.next("unread_count");
            InAppNotification original = notification(user, "Booking at 10:00", null, Instant.now());
            TestNode.publish(producer, original);
            socket.next("notification");
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(original.notificationId()) == 1);
            socket.ask(
                    "{\"type\":\"mark_read\",\"id\":\"" + original.notificationId() + "\"}",
                    "notification_marked_read");

            UUID updateEvent = UUID.randomUUID();
            InAppNotification update = change(
                    original.notificationId(),
                    updateEvent,
                    user,
                    null,
                    Change.Kind.UPDATE,
                    "Booking moved to 11:00",
                    "Your barber moved it",
                    Map.of("bookingId", "b-1", "time", "11:00"));
            TestNode.publish(producer, update);
            JsonNode updated = socket.next("notification_updated").path("notification");
            assertThat(updated.path("id").asString())
                    .isEqualTo(original.notificationId().toString());
            assertThat(updated.path("title").asString()).isEqualTo("Booking moved to 11:00");
            assertThat(updated.path("body").asString()).isEqualTo("Your barber moved it");
            assertThat(updated.path("data").path("time").asString()).isEqualTo("11:00");

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> "Booking moved to 11:00".equals(title(original.notificationId())));
            JsonNode list =
                    socket.ask("{\"type\":\"get_notifications\",\"page\":1,\"page_size\":10}", "notifications_list");
            JsonNode item = list.path("notifications").get(0);
            assertThat(item.path("body").asString()).isEqualTo("Your barber moved it");
            assertThat(item.path("data").path("bookingId").asString()).isEqualTo("b-1");
            assertThat(item.path("read").asBoolean())
                    .as("an update keeps the read mark")
                    .isTrue();
            assertThat(list.path("total").asLong()).isEqualTo(1);
            assertThat(list.path("unread_count").asLong()).isZero();

            // An update of a notification the inbox does not hold creates nothing.
            UUID never = UUID.randomUUID();
            InAppNotification orphan = change(
                    Ids.notificationId(never, SOURCE, user),
                    UUID.randomUUID(),
                    user,
                    null,
                    Change.Kind.UPDATE,
                    "nothing",
                    "to update",
                    Map.of());
            TestNode.publish(producer, orphan);
            socket.next("notification_updated");
            InAppNotification marker = notification(user, "marker", null, Instant.now());
            TestNode.publish(producer, marker);
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(marker.notificationId()) == 1);
            assertThat(rows(orphan.notificationId())).isZero();
            assertThat(count(user)).isEqualTo(2);
        }
    }

    @Test
    void aResumeFromBeforeAWithdrawalAndAnUpdateReplaysThemInStreamOrder() {
        String user = "u-" + UUID.randomUUID();
        InAppNotification gone = notification(user, "to be withdrawn", null, Instant.now());
        InAppNotification changed = notification(user, "to be updated", null, Instant.now());
        String position;
        try (var first = TestNode.connect(node, user)) {
            first.next("unread_count");
            TestNode.publish(producer, gone);
            first.next("notification");
            TestNode.publish(producer, changed);
            position = first.next("notification").path("position").asString();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> count(user) == 2);
        TestNode.publish(producer, withdrawById(gone));
        RecordMetadata last = TestNode.publish(
                producer,
                change(
                        changed.notificationId(),
                        UUID.randomUUID(),
                        user,
                        null,
                        Change.Kind.UPDATE,
                        "updated while away",
                        "new body",
                        Map.of()));
        passedLive(last);

        try (var again = TestNode.connect(node, user)) {
            JsonNode resumed = again.ask("{\"type\":\"resume\",\"position\":\"" + position + "\"}", "resumed");
            assertThat(resumed.path("replayed").asInt()).isEqualTo(2);
            assertThat(resumed.path("complete").asBoolean()).isTrue();
            JsonNode withdrawn = again.nextOf("notification_withdrawn", "notification_updated");
            assertThat(withdrawn.path("type").asString()).isEqualTo("notification_withdrawn");
            assertThat(withdrawn.path("id").asString())
                    .isEqualTo(gone.notificationId().toString());
            JsonNode updated = again.next("notification_updated").path("notification");
            assertThat(updated.path("id").asString())
                    .isEqualTo(changed.notificationId().toString());
            assertThat(updated.path("title").asString()).isEqualTo("updated while away");
            assertThat(again.has("notification")).as("nothing else replayed").isFalse();
        }
    }

    /** A new notification of {@link #SOURCE} for {@code user}, with a link, an image and, when given, a key. */
    private static InAppNotification notification(
            String user, String title, @Nullable String collapseKey, Instant occurredAt) {
        UUID eventId = UUID.randomUUID();
        String ref = collapseKey == null ? "none" : collapseKey;
        return new InAppNotification(
                Ids.notificationId(eventId, SOURCE, user),
                eventId,
                DomainEvent.SCHEMA_VERSION,
                occurredAt,
                user,
                "job_offer",
                title,
                "body of " + title,
                Map.of("jobId", ref),
                null,
                null,
                SOURCE,
                "app://jobs/" + ref,
                "https://img.example/" + ref + ".png",
                collapseKey,
                null);
    }

    private static InAppNotification withSource(InAppNotification n, String source) {
        return new InAppNotification(
                Ids.notificationId(n.eventId(), source, n.userId()),
                n.eventId(),
                n.schemaVersion(),
                n.occurredAt(),
                n.userId(),
                n.type(),
                n.title(),
                n.body(),
                n.data(),
                n.actor(),
                n.object(),
                source,
                n.link(),
                n.imageUrl(),
                n.collapseKey(),
                n.change());
    }

    /** As token-service plans a withdrawal of {@code target} by its event id. */
    private static InAppNotification withdrawById(InAppNotification target) {
        return change(
                target.notificationId(),
                UUID.randomUUID(),
                target.userId(),
                null,
                Change.Kind.WITHDRAW,
                "",
                "",
                Map.of("herald.change", "withdraw"));
    }

    private static InAppNotification change(
            UUID notificationId,
            UUID eventId,
            String user,
            @Nullable String collapseKey,
            Change.Kind kind,
            String title,
            String body,
            Map<String, String> data) {
        return new InAppNotification(
                notificationId,
                eventId,
                DomainEvent.SCHEMA_VERSION,
                Instant.now(),
                user,
                "job_offer",
                title,
                body,
                data,
                null,
                null,
                SOURCE,
                null,
                null,
                collapseKey,
                kind);
    }

    private static void passedLive(RecordMetadata at) {
        var frontier = node.getBean(LiveFrontier.class);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> frontier.await(at.partition(), Duration.ZERO).orElse(-1) > at.offset());
        await().atMost(Duration.ofSeconds(20))
                .until(() -> node.getBean(io.herald.fanout.inbox.InboxStore.class)
                                .storedUpTo()
                                .getOrDefault(at.partition(), 0L)
                        > at.offset());
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

    private static long count(String user) {
        return jdbc().sql("select count(*) from inbox.notifications where user_id = :user")
                .param("user", user)
                .query(Long.class)
                .single();
    }

    private static long unread(String user) {
        return jdbc().sql("select count(*) from inbox.notifications where user_id = :user and read_at is null")
                .param("user", user)
                .query(Long.class)
                .single();
    }

    private static java.util.List<UUID> ids(String user) {
        return jdbc().sql("select notification_id from inbox.notifications where user_id = :user")
                .param("user", user)
                .query(UUID.class)
                .list();
    }

    private static @Nullable String title(UUID notificationId) {
        return jdbc().sql("select title from inbox.notifications where notification_id = :id")
                .param("id", notificationId)
                .query(String.class)
                .optional()
                .orElse(null);
    }
}
