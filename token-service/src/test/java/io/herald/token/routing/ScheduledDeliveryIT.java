package io.herald.token.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.HeraldHeaders;
import io.herald.events.HeraldJson;
import io.herald.events.InAppNotification;
import io.herald.events.PushDelivery;
import io.herald.events.Topics;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.token.TestTopics;
import io.herald.token.TokenApplication;
import io.herald.token.TokenServiceClient;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Scheduled delivery ({@code deliverAt}) through the real broker and database: an event for later is held in {@code
 * token.scheduled_events} and routed once when due, also after token-service restarted while it waited, and by
 * exactly one of two instances sharing the due work; a cancelled one is never delivered; one the database refuses
 * when due fails alone. An event at a local time ({@code deliverAtLocal}) reaches each recipient at that time in their
 * zone, its parts survive a restart and are cancelled together; a push in quiet hours that defer waits for their
 * end. In order: one instance for the first three tests, a restart in the third, a second instance from the fourth
 * on.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScheduledDeliveryIT {

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("token_schedule");

    static final TestTopics topics = new TestTopics(infra.bootstrapServers());
    static final List<ConfigurableApplicationContext> instances = new ArrayList<>();
    static final String user = "sam-" + UUID.randomUUID();

    @BeforeAll
    static void startOne() {
        new TokenServiceClient(port(start("one"))).register(user, "sam-phone-" + UUID.randomUUID());
    }

    private static ConfigurableApplicationContext start(String name) {
        ConfigurableApplicationContext context = TokenApplication.application()
                .run(infra.arguments(
                        "--server.port=0",
                        "--spring.kafka.consumer.properties.session.timeout.ms=6000",
                        "--spring.kafka.consumer.properties.heartbeat.interval.ms=1000",
                        "--herald.token.schedule.poll-interval=200ms",
                        // small batches, so that two instances both take some of a burst
                        "--herald.token.schedule.batch-size=20",
                        "--spring.application.name=token-service-" + name));
        instances.add(context);
        return context;
    }

    private static int port(ConfigurableApplicationContext context) {
        return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }

    @AfterAll
    static void stop() {
        instances.forEach(ConfigurableApplicationContext::close);
        topics.close();
    }

    @Test
    @Order(1)
    void anEventForLaterIsNotPushedBeforeItIsDueAndPushedOnceWhenDue() {
        UUID eventId = UUID.randomUUID();
        Instant deliverAt = Instant.now().plusSeconds(6);

        topics.publish(eventId, chat(eventId, "shop", deliverAt));
        topics.awaitRouted(); // the router has taken it (and committed): held, not routed

        assertThat(Instant.now()).as("checked before it was due").isBefore(deliverAt);
        assertThat(topics.pushesOf(eventId)).isEmpty();
        assertThat(waiting()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !topics.pushesOf(eventId).isEmpty());
        await().atMost(Duration.ofSeconds(30)).until(() -> waiting() == 0);
        topics.recordsToEnd();
        List<ConsumerRecord<String, byte[]>> pushes = pushRecordsOf(eventId);
        assertThat(pushes).hasSize(1);
        assertThat(Instant.ofEpochMilli(pushes.getFirst().timestamp())).isAfterOrEqualTo(deliverAt);
        assertThat(topics.inAppOf(eventId)).hasSize(1);
    }

    @Test
    @Order(2)
    void aCancelledEventIsNeverDeliveredAndOnlyItsAppCancelsItOnce() {
        UUID cancelled = UUID.randomUUID();
        UUID kept = UUID.randomUUID();
        Instant deliverAt = Instant.now().plusSeconds(4);
        topics.publish(cancelled, chat(cancelled, "shop", deliverAt));
        topics.publish(kept, chat(kept, "shop", deliverAt));
        topics.awaitRouted();
        var api = new TokenServiceClient(port(instances.getFirst()));
        String path = "/internal/v1/events/" + cancelled + "/schedule?source=";

        var otherApp = api.delete(path + "chat");
        var cancel = api.delete(path + "shop");
        var again = api.delete(path + "shop");

        assertThat(otherApp.statusCode()).isEqualTo(404);
        assertThat(TokenServiceClient.json(otherApp).path("type").asString())
                .isEqualTo("https://herald.dev/problems/event-not-scheduled");
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(204);
        assertThat(again.statusCode()).isEqualTo(404);
        // The event due at the same instant is delivered; the cancelled one is not, then or later.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !topics.pushesOf(kept).isEmpty());
        await().atMost(Duration.ofSeconds(30)).until(() -> waiting() == 0);
        topics.recordsToEnd();
        assertThat(topics.pushesOf(cancelled)).isEmpty();
        assertThat(topics.inAppOf(cancelled)).isEmpty();
        // Delivered: no longer cancellable.
        assertThat(api.delete("/internal/v1/events/" + kept + "/schedule?source=shop")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    @Order(3)
    void anEventWaitingWhileTokenServiceRestartsIsDeliveredOnceAfterIt() {
        UUID eventId = UUID.randomUUID();
        Instant deliverAt = Instant.now().plusSeconds(5);
        // And an event at a local time: due with the other for the user (UTC), 11 and 12 hours later for two users
        // west of it; held as three parts, one of which is due and delivered after the restart.
        UUID local = UUID.randomUUID();
        String far = "far-" + UUID.randomUUID();
        String farther = "farther-" + UUID.randomUUID();
        var api = new TokenServiceClient(port(instances.getFirst()));
        preferences(api, far, "{\"muteAll\":false,\"timeZone\":\"Etc/GMT+11\"}");
        preferences(api, farther, "{\"muteAll\":false,\"timeZone\":\"Etc/GMT+12\"}");
        topics.publish(eventId, chat(eventId, "shop", deliverAt));
        topics.publish(local, localChat(local, utc(deliverAt), user, far, farther));
        topics.awaitRouted();
        assertThat(waiting()).isEqualTo(4);
        assertThat(waiting(local)).isEqualTo(3);

        instances.removeFirst().close();
        assertThat(Instant.now()).as("stopped before it was due").isBefore(deliverAt);
        start("one-again");

        await().atMost(Duration.ofSeconds(60))
                .until(() -> !topics.pushesOf(eventId).isEmpty()
                        && !topics.pushesOf(local).isEmpty());
        await().atMost(Duration.ofSeconds(30)).until(() -> waiting(local) == 2);
        topics.recordsToEnd();
        assertThat(topics.pushesOf(eventId)).hasSize(1);
        assertThat(topics.pushesOf(local)).extracting(PushDelivery::userId).containsExactly(user);
        assertThat(topics.inAppOf(local)).extracting(InAppNotification::userId).containsExactly(user);

        // Cancelling the event cancels every part still waiting, at once.
        var again = new TokenServiceClient(port(instances.getFirst()));
        assertThat(again.delete("/internal/v1/events/" + local + "/schedule?source=shop")
                        .statusCode())
                .isEqualTo(204);
        assertThat(waiting()).isZero();
        assertThat(again.delete("/internal/v1/events/" + local + "/schedule?source=shop")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    @Order(4)
    void twoInstancesShareABurstDueAtOneInstantAndPushEachEventOnce() {
        start("two");
        Instant deliverAt = Instant.now().plusSeconds(5);
        List<UUID> events = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            UUID eventId = UUID.randomUUID();
            events.add(eventId);
            topics.publish(eventId, chat(eventId, "shop", deliverAt));
        }
        topics.awaitRouted();

        await().atMost(Duration.ofSeconds(60)).until(() -> waiting() == 0);
        topics.recordsToEnd();
        List<ConsumerRecord<String, byte[]>> records = topics.records().stream()
                .filter(r -> r.topic().equals(Topics.PUSH))
                .filter(r -> events.contains(HeraldJson.mapper()
                        .readValue(r.value(), PushDelivery.class)
                        .eventId()))
                .toList();
        Map<UUID, Long> pushes = records.stream()
                .map(r -> HeraldJson.mapper().readValue(r.value(), PushDelivery.class))
                .collect(Collectors.groupingBy(PushDelivery::eventId, Collectors.counting()));
        assertThat(pushes).hasSize(200);
        assertThat(pushes.values()).containsOnly(1L);
        assertThat(records)
                .allSatisfy(r -> assertThat(Instant.ofEpochMilli(r.timestamp())).isAfterOrEqualTo(deliverAt));
    }

    /**
     * An event the database refuses when it is due (here a constraint the test puts on the delivery log, which its
     * recipient's skip breaks) fails alone: the events due with it are delivered, it goes to the dead-letter topic with
     * the database's reason, and nothing is left waiting to be tried forever.
     */
    @Test
    @Order(5)
    void aDueEventTheDatabaseRefusesIsDeadLetteredAloneAndThoseDueWithItAreDelivered() {
        String refusedUser = "refused-" + UUID.randomUUID();
        String constraint = "refuses_" + refusedUser.substring(8).replace("-", "_");
        instances
                .getFirst()
                .getBean(JdbcClient.class)
                .sql("alter table token.delivery_log add constraint " + constraint + " check (user_id <> '"
                        + refusedUser + "')")
                .update();
        Instant deliverAt = Instant.now().plusSeconds(3);
        UUID before = UUID.randomUUID();
        UUID refused = UUID.randomUUID();
        UUID after = UUID.randomUUID();
        topics.publish(before, chat(before, "shop", deliverAt));
        topics.publish(refused, chat(refused, "shop", deliverAt, refusedUser));
        topics.publish(after, chat(after, "shop", deliverAt));
        topics.awaitRouted();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> !topics.deadLettersOf(refused).isEmpty());
        await().atMost(Duration.ofSeconds(30)).until(() -> waiting() == 0);
        topics.recordsToEnd();
        // The others were routed (again, while the refused one was sought, under the same delivery id: harmless).
        for (UUID delivered : List.of(before, after)) {
            assertThat(topics.pushesOf(delivered))
                    .isNotEmpty()
                    .extracting(PushDelivery::deliveryId)
                    .containsOnly(topics.pushesOf(delivered).getFirst().deliveryId());
        }
        assertThat(topics.pushesOf(refused))
                .allSatisfy(p -> assertThat(p.userId()).isEqualTo(refusedUser));
        List<ConsumerRecord<String, byte[]>> dead = topics.deadLettersOf(refused);
        assertThat(dead).hasSize(1);
        assertThat(TestTopics.header(dead.getFirst(), HeraldHeaders.DLT_REASON))
                .startsWith("refused by the database")
                .contains(constraint);
        assertThat(TestTopics.header(dead.getFirst(), HeraldHeaders.DLT_REASON_CODE))
                .isEqualTo("schema-violation");
    }

    /**
     * An event at a local time to two users: the one in Tokyo (their device's zone) is past that time and gets it at
     * once, the one in UTC (their preferences' zone, which wins over their device's) gets it at that time.
     */
    @Test
    @Order(6)
    void anEventAtALocalTimeReachesEachRecipientAtThatTimeInTheirZone() {
        var api = new TokenServiceClient(port(instances.getFirst()));
        String east = "east-" + UUID.randomUUID();
        String west = "west-" + UUID.randomUUID();
        register(api, east, "Asia/Tokyo");
        register(api, west, "Asia/Tokyo");
        preferences(api, west, "{\"muteAll\":false,\"timeZone\":\"UTC\"}");
        UUID eventId = UUID.randomUUID();
        Instant due = Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.SECONDS);

        topics.publish(eventId, localChat(eventId, utc(due), east, west));
        topics.awaitRouted();

        assertThat(Instant.now()).as("checked before it was due in UTC").isBefore(due);
        assertThat(topics.pushesOf(eventId)).extracting(PushDelivery::userId).containsExactly(east);
        assertThat(waiting(eventId)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> topics.pushesOf(eventId).size() == 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> waiting(eventId) == 0);
        topics.recordsToEnd();
        assertThat(pushRecordsOf(eventId))
                .filteredOn(r -> HeraldJson.mapper()
                        .readValue(r.value(), PushDelivery.class)
                        .userId()
                        .equals(west))
                .singleElement()
                .satisfies(r -> assertThat(Instant.ofEpochMilli(r.timestamp())).isAfterOrEqualTo(due));
        assertThat(topics.pushesOf(eventId)).extracting(PushDelivery::userId).containsExactlyInAnyOrder(east, west);
        assertThat(topics.inAppOf(eventId))
                .extracting(InAppNotification::userId)
                .containsExactlyInAnyOrder(east, west);
    }

    /**
     * Quiet hours that defer, ending a few seconds from now: the inbox item arrives at once, the push waits (logged
     * {@code deferred} under the delivery id it is then sent with) and is sent when they end, with no history row
     * of its own (the inbox item is the user's history). A push whose notification is withdrawn while it waits is
     * never sent, and its entry says why.
     */
    @Test
    @Order(7)
    void aPushInQuietHoursThatDeferWaitsForTheirEndAndIsLoggedDeferredUntilThen() {
        var api = new TokenServiceClient(port(instances.getFirst()));
        String night = "night-" + UUID.randomUUID();
        api.register(night, "night-phone-" + UUID.randomUUID());
        // Two polls to route before it ends (the events, then the withdrawal): a little more time than the others.
        Instant end = Instant.now().plusSeconds(8).truncatedTo(ChronoUnit.SECONDS);
        LocalTime endLocal = LocalTime.ofInstant(end, ZoneOffset.UTC);
        preferences(api, night, """
                {"muteAll":false,"quietHours":{"start":"%s","end":"%s","timeZone":"UTC","mode":"defer"}}""".formatted(endLocal.minusHours(1), endLocal));
        UUID eventId = UUID.randomUUID();
        // A second event whose notification is withdrawn while its push waits: that push is never sent.
        UUID withdrawn = UUID.randomUUID();
        UUID withdrawal = UUID.randomUUID();

        topics.publish(eventId, chat(eventId, "shop", null, night));
        topics.publish(withdrawn, chat(withdrawn, "shop", null, night));
        topics.awaitRouted();
        assertThat(waiting(withdrawn)).isEqualTo(1);
        topics.publish(withdrawal, """
                {"eventId":"%s","schemaVersion":1,"type":"chat","source":"shop","occurredAt":"2026-12-07T10:00:00Z",
                 "recipients":["%s"],"change":{"kind":"withdraw","eventId":"%s"}}
                """.formatted(withdrawal, night, withdrawn));
        topics.awaitRouted();

        assertThat(Instant.now()).as("checked before the quiet hours ended").isBefore(end);
        assertThat(topics.inAppOf(eventId)).hasSize(1);
        assertThat(topics.pushesOf(eventId)).isEmpty();
        assertThat(waiting(eventId)).isEqualTo(1);
        assertThat(waiting(withdrawn)).isZero();
        assertThat(jdbc().sql("select outcome || ' ' || reason from token.delivery_log where event_id = ?")
                        .params(withdrawn)
                        .query(String.class)
                        .list())
                .containsExactly("skipped " + RoutingListener.WITHDRAWN);
        List<String> deferred =
                jdbc().sql("""
                        select delivery_key || ' ' || outcome || ' ' || reason from token.delivery_log
                        where event_id = ? and user_id = ?""").params(eventId, night).query(String.class).list();
        assertThat(deferred).singleElement().asString().endsWith(" deferred quiet-hours: until " + end);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> !topics.pushesOf(eventId).isEmpty());
        await().atMost(Duration.ofSeconds(30)).until(() -> waiting(eventId) == 0);
        topics.recordsToEnd();
        assertThat(pushRecordsOf(eventId))
                .singleElement()
                .satisfies(r -> assertThat(Instant.ofEpochMilli(r.timestamp())).isAfterOrEqualTo(end));
        PushDelivery push = topics.pushesOf(eventId).getFirst();
        assertThat(push.sound()).as("sent as usual once the quiet hours ended").isNotNull();
        assertThat(deferred.getFirst()).startsWith(push.deliveryId() + " ");
        assertThat(topics.inAppOf(eventId)).hasSize(1);
        assertThat(topics.pushesOf(withdrawn)).isEmpty();
        assertThat(jdbc().sql("select count(*) from token.notification_history where event_id = ?")
                        .params(eventId)
                        .query(Long.class)
                        .single())
                .isZero();
    }

    private static List<ConsumerRecord<String, byte[]>> pushRecordsOf(UUID eventId) {
        return topics.records().stream()
                .filter(r -> r.topic().equals(Topics.PUSH))
                .filter(r -> HeraldJson.mapper()
                        .readValue(r.value(), PushDelivery.class)
                        .eventId()
                        .equals(eventId))
                .toList();
    }

    /** Events (and parts of events) held in token.scheduled_events. */
    private static long waiting() {
        return jdbc().sql("select count(*) from token.scheduled_events")
                .query(Long.class)
                .single();
    }

    /** The parts of one event held in token.scheduled_events. */
    private static long waiting(UUID eventId) {
        return jdbc().sql("select count(*) from token.scheduled_events where event_id = ?")
                .params(eventId)
                .query(Long.class)
                .single();
    }

    private static JdbcClient jdbc() {
        return instances.getFirst().getBean(JdbcClient.class);
    }

    private static void register(TokenServiceClient api, String user, String timeZone) {
        var response = api.post(
                "/internal/v1/users/" + user + "/devices",
                "{\"provider\":\"fcm\",\"token\":\"" + user + "-phone\",\"platform\":\"android\",\"timeZone\":\""
                        + timeZone + "\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private static void preferences(TokenServiceClient api, String user, String json) {
        var response = api.call("PUT", "/internal/v1/users/" + user + "/preferences", json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    /** An instant's local date and time in UTC, as a deliverAtLocal. */
    private static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC);
    }

    private static String chat(UUID eventId, String source, Instant deliverAt) {
        return chat(eventId, source, deliverAt, user);
    }

    private static String chat(UUID eventId, String source, @Nullable Instant deliverAt, String recipient) {
        return """
                {"eventId":"%s","schemaVersion":1,"type":"chat","source":"%s","occurredAt":"2026-12-07T10:00:00Z",
                 "recipients":["%s"],"title":"Your visit","body":"In one hour","deliverAt":%s}
                """.formatted(eventId, source, recipient, deliverAt == null ? "null" : "\"" + deliverAt + "\"");
    }

    private static String localChat(UUID eventId, LocalDateTime local, String... recipients) {
        return """
                {"eventId":"%s","schemaVersion":1,"type":"chat","source":"shop","occurredAt":"2026-12-07T10:00:00Z",
                 "recipients":[%s],"title":"Your visit","body":"In one hour","deliverAtLocal":"%s"}
                """.formatted(
                eventId,
                String.join(",", Stream.of(recipients).map(r -> "\"" + r + "\"").toList()),
                local);
    }
}
