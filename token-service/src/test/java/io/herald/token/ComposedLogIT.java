package io.herald.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.Channel;
import io.herald.events.DeliveryStatus;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.events.Topics;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.token.routing.FrequencyCaps;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Issue #26: routing writes no row for a planned delivery (no routed mark, no {@code planned} entry, no history row
 * for a recipient whose inbox holds the notification), and {@code GET /internal/v1/events/{id}/deliveries} composes
 * the log from token-service's skips and statuses, dispatch-service's sends and the inbox — here real HTTP servers
 * answering by those services' contract ({@link ServiceStubs}) — through the real Kafka and PostgreSQL of testkit.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=token-service",
            "herald.token.log.timeout=500ms",
            // Issue #25: at most 3 recommended_* pushes a user a day (frequencyCapsHoldBackTheFourthPushOnly).
            "herald.token.frequency-caps[0].name=recommendations",
            "herald.token.frequency-caps[0].types=recommended_*",
            "herald.token.frequency-caps[0].max=3",
            "herald.token.frequency-caps[0].per=1d"
        })
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ComposedLogIT {

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("token_composed");

    static final TestTopics topics = new TestTopics(infra.bootstrapServers());
    static final KafkaProducer<String, byte[]> statuses = infra.producer();
    static final ServiceStubs stubs = ServiceStubs.start();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        stubs.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    FrequencyCaps caps;

    @AfterEach
    void up() {
        stubs.reset();
    }

    @AfterAll
    static void close() {
        topics.close();
        statuses.close();
        stubs.close();
    }

    @Test
    void aRecipientWithAnInboxItemCostsNoRowHereAndAPushOnlyRecipientOneHistoryRow() {
        String ann = "ann-" + UUID.randomUUID();
        register(ann, "ann-phone-" + UUID.randomUUID());
        UUID both = UUID.randomUUID();
        UUID pushOnly = UUID.randomUUID();
        topics.publish(both, event(both, "shop", null, ann));
        topics.publish(pushOnly, event(pushOnly, "shop", "[\"push\"]", ann));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> topics.pushesOf(both).size() == 1
                        && topics.inAppOf(both).size() == 1
                        && topics.pushesOf(pushOnly).size() == 1);

        // Routed in order on one partition: pushOnly's history row is written when it is routed, both's before.
        await().atMost(Duration.ofSeconds(30)).until(() -> rows("notification_history", pushOnly) == 1);
        assertThat(rows("delivery_log", both)).isZero();
        assertThat(rows("notification_history", both)).isZero();
        assertThat(rows("delivery_log", pushOnly)).isZero();
        assertThat(jdbc.sql("select to_regclass('token.routed_events') is null")
                        .query(Boolean.class)
                        .single())
                .isTrue();
    }

    @Test
    void theLogComposesSkipsPushOutcomesAndTheInboxTheNewerWinning() throws Exception {
        String ann = "ann-" + UUID.randomUUID();
        String carl = "carl-" + UUID.randomUUID();
        register(ann, "ann-phone-" + UUID.randomUUID());
        register(ann, "ann-tablet-" + UUID.randomUUID());
        UUID eventId = UUID.randomUUID();
        topics.publish(eventId, event(eventId, "shop", null, ann, carl));
        List<PushDelivery> pushes =
                await().atMost(Duration.ofSeconds(30)).until(() -> topics.pushesOf(eventId), l -> l.size() == 2);
        InAppNotification inApp =
                await().atMost(Duration.ofSeconds(30)).until(() -> topics.inAppOf(eventId), l -> l.size() == 2).stream()
                        .filter(n -> n.userId().equals(ann))
                        .findFirst()
                        .orElseThrow();
        // Before anything arrived anywhere: carl's push skip, token-service's own row.
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(outcomes(get(eventId, "shop")))
                        .containsExactly(carl + "/push/no-active-devices=skipped"));

        Instant t = Instant.now();
        PushDelivery phone = pushes.get(0);
        PushDelivery tablet = pushes.get(1);
        stubs.sent(phone, "sent", null, t);
        stubs.sent(tablet, "rejected", "UNREGISTERED", t);
        stubs.stored(inApp, t, t.plusSeconds(5));
        stubs.stored(
                topics.inAppOf(eventId).stream()
                        .filter(n -> n.userId().equals(carl))
                        .findFirst()
                        .orElseThrow(),
                t,
                null);
        // Statuses published as well: one newer than dispatch's row (it wins), one older (dispatch's wins).
        status(phone, DeliveryStatus.Outcome.DELIVERED, t.plusSeconds(1));
        status(tablet, DeliveryStatus.Outcome.FAILED, t.minusSeconds(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> rows("delivery_log", eventId) == 3);

        JsonNode log = json(get(eventId, "shop"));
        assertThat(log.path("source").asString()).isEqualTo("shop");
        assertThat(outcomes(get(eventId, "shop")))
                .containsExactlyInAnyOrder(
                        ann + "/inapp/null=read",
                        ann + "/push/null=delivered",
                        ann + "/push/UNREGISTERED=rejected",
                        carl + "/inapp/null=stored",
                        carl + "/push/no-active-devices=skipped");
        assertThat(log.path("deliveries").findValuesAsString("provider")).contains("fcm");
        assertThat(log.has("truncated")).isFalse();
        // Without ?source: the one app known to have published the id.
        assertThat(json(get(eventId, null)).path("source").asString()).isEqualTo("shop");
        assertThat(stubs.asked).anySatisfy(a -> assertThat(a.rawQuery()).isEqualTo("eventId=" + eventId));
    }

    @Test
    void twoAppsUnderOneEventIdEachSeeTheirOwnDeliveriesAttributedByNotificationId() {
        String dana = "dana-" + UUID.randomUUID();
        register(dana, "dana-phone-" + UUID.randomUUID());
        UUID eventId = UUID.randomUUID();
        topics.publish(eventId, event(eventId, "shop", "[\"push\"]", dana));
        topics.publish(eventId, event(eventId, "chat", "[\"push\"]", dana));
        List<PushDelivery> pushes =
                await().atMost(Duration.ofSeconds(30)).until(() -> topics.pushesOf(eventId), l -> l.size() == 2);
        Instant t = Instant.now();
        for (PushDelivery p : pushes) {
            boolean shop = p.notificationId().equals(Ids.notificationId(eventId, "shop", dana));
            stubs.sent(p, shop ? "sent" : "rejected", shop ? null : "chat's", t);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> rows("notification_history", eventId) == 2);

        assertThat(outcomes(get(eventId, "shop"))).containsExactly(dana + "/push/null=sent");
        assertThat(outcomes(get(eventId, "chat"))).containsExactly(dana + "/push/chat's=rejected");
        assertThat(get(eventId, "other").statusCode()).isEqualTo(404);
        JsonNode both = json(get(eventId, null));
        assertThat(both.path("source").isNull()).isTrue();
        assertThat(both.path("deliveries")).hasSize(2);
        assertThat(get(UUID.randomUUID(), null).statusCode()).isEqualTo(404);
    }

    @Test
    void aServiceDownOrSlowIsA503NamingItNeverAPartialLog() {
        UUID eventId = UUID.randomUUID();
        String ann = "ann-" + UUID.randomUUID();
        topics.publish(eventId, event(eventId, "shop", null, ann));
        await().atMost(Duration.ofSeconds(30)).until(() -> get(eventId, "shop").statusCode() == 200);

        stubs.dispatch = ServiceStubs.Mode.DOWN;
        assertUnavailable(get(eventId, "shop"), "dispatch-service");
        stubs.reset();
        stubs.fanout = ServiceStubs.Mode.SLOW;
        long start = System.nanoTime();
        assertUnavailable(get(eventId, "shop"), "ws-fanout-service");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        stubs.dispatch = ServiceStubs.Mode.SLOW;
        assertUnavailable(get(eventId, "shop"), "dispatch-service", "ws-fanout-service");
        assertUnavailable(
                new TokenServiceClient(port).get("/internal/v1/users/" + ann + "/notifications?source=shop"),
                "ws-fanout-service");
        stubs.reset();
        assertThat(get(eventId, "shop").statusCode()).isEqualTo(200);
    }

    @Test
    void aRedeliveredEventIsRoutedAgainWithTheSameIds() {
        String erin = "erin-" + UUID.randomUUID();
        register(erin, "erin-phone-" + UUID.randomUUID());
        UUID eventId = UUID.randomUUID();
        String event = event(eventId, "shop", null, erin);
        topics.publish(eventId, event);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> topics.pushesOf(eventId).size() == 1
                        && topics.inAppOf(eventId).size() == 1);

        topics.publish(eventId, event);

        List<PushDelivery> pushes =
                await().atMost(Duration.ofSeconds(30)).until(() -> topics.pushesOf(eventId), l -> l.size() == 2);
        List<InAppNotification> inApp =
                await().atMost(Duration.ofSeconds(30)).until(() -> topics.inAppOf(eventId), l -> l.size() == 2);
        assertThat(pushes)
                .extracting(PushDelivery::deliveryId)
                .containsOnly(pushes.getFirst().deliveryId());
        assertThat(pushes)
                .extracting(PushDelivery::notificationId)
                .containsOnly(Ids.notificationId(eventId, "shop", erin));
        assertThat(inApp)
                .extracting(InAppNotification::notificationId)
                .containsOnly(Ids.notificationId(eventId, "shop", erin));
        assertThat(topics.deadLettersOf(eventId)).isEmpty();
    }

    /**
     * Issue #25: with at most 3 {@code recommended_*} pushes a day, the fourth distinct one is held back (its push
     * skipped, reason {@code frequency-cap:recommendations}; its in-app notification still published); an event routed
     * again counts once and gets the same decision; a type no cap names is never held back. Each event is published
     * once the one before is routed: events are keyed by their id, so their order across partitions is otherwise free.
     */
    @Test
    void frequencyCapsHoldBackTheFourthPushOnly() {
        // The window is the UTC day: a run that would cross midnight starts after it instead.
        await().atMost(Duration.ofMinutes(3))
                .until(() -> Duration.between(
                                        Instant.now(),
                                        Instant.now()
                                                .truncatedTo(ChronoUnit.DAYS)
                                                .plus(1, ChronoUnit.DAYS))
                                .compareTo(Duration.ofMinutes(2))
                        > 0);
        String fay = "fay-" + UUID.randomUUID();
        register(fay, "fay-phone-" + UUID.randomUUID());
        List<UUID> recommended = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        for (UUID id : recommended.subList(0, 3)) {
            topics.publish(id, typed(id, "shop", "recommended_product", null, fay));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> topics.pushesOf(id).size() == 1);
        }
        // The second one again (a redelivery): routed again, the same decision, not counted twice.
        UUID again = recommended.get(1);
        topics.publish(again, typed(again, "shop", "recommended_product", null, fay));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> topics.pushesOf(again).size() == 2);

        UUID fourth = recommended.get(3);
        topics.publish(fourth, typed(fourth, "shop", "recommended_product", null, fay));
        UUID chat = UUID.randomUUID();
        topics.publish(chat, event(chat, "shop", null, fay));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> topics.inAppOf(fourth).size() == 1
                        && topics.pushesOf(chat).size() == 1);
        topics.awaitRouted();

        assertThat(topics.pushesOf(fourth)).isEmpty();
        // Routed twice, delivered both times under one delivery id (dispatch-service sends it once).
        List<PushDelivery> twice = topics.pushesOf(again);
        assertThat(twice)
                .hasSize(2)
                .extracting(PushDelivery::deliveryId)
                .containsOnly(twice.getFirst().deliveryId());
        for (UUID id : recommended.subList(0, 3)) {
            assertThat(rows("delivery_log", id)).as("no skip for %s", id).isZero();
        }
        assertThat(outcomes(get(fourth, "shop"))).contains(fay + "/push/frequency-cap:recommendations=skipped");
        assertThat(jdbc.sql("select reason from token.delivery_log where event_id = :id")
                        .param("id", fourth)
                        .query(String.class)
                        .list())
                .containsExactly("frequency-cap:recommendations");
        assertThat(rows("delivery_log", chat)).isZero();
        assertThat(jdbc.sql("select count(*) from token.capped_notifications where user_id = :user")
                        .param("user", fay)
                        .query(Long.class)
                        .single())
                .isEqualTo(4);
    }

    /** Counts of windows older than twice the longest cap's (1 day here) are deleted; the others are kept. */
    @Test
    void frequencyCapCountsOfOldWindowsArePruned() {
        String gus = "gus-" + UUID.randomUUID();
        long day = Duration.ofDays(1).toMillis();
        long today = Math.floorDiv(System.currentTimeMillis(), day) * day;
        for (long bucket : List.of(today - 3 * day, today - day, today)) {
            jdbc.sql("insert into token.capped_notifications (user_id, cap, bucket, notification_id)"
                            + " values (:user, 'recommendations', :bucket, :id)")
                    .param("user", gus)
                    .param("bucket", bucket)
                    .param("id", UUID.randomUUID())
                    .update();
        }

        assertThat(caps.prune()).isPositive();

        assertThat(jdbc.sql("select bucket from token.capped_notifications where user_id = :user order by bucket")
                        .param("user", gus)
                        .query(Long.class)
                        .list())
                .containsExactly(today - day, today);
    }

    private static void assertUnavailable(HttpResponse<String> response, String... services) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        JsonNode problem = TokenServiceClient.json(response);
        assertThat(problem.path("type").asString()).isEqualTo("https://herald.dev/problems/log-source-unavailable");
        List<String> named = new ArrayList<>();
        problem.path("services").forEach(n -> named.add(n.asString()));
        assertThat(named).containsExactly(services);
        assertThat(problem.path("detail").asString()).contains(services[0]);
    }

    private HttpResponse<String> get(UUID eventId, String source) {
        return new TokenServiceClient(port)
                .get("/internal/v1/events/" + eventId + "/deliveries" + (source == null ? "" : "?source=" + source));
    }

    /** Each entry as user/channel/reason=outcome. */
    private static List<String> outcomes(HttpResponse<String> response) {
        List<String> shown = new ArrayList<>();
        json(response)
                .path("deliveries")
                .forEach(d -> shown.add(d.path("userId").asString() + "/"
                        + d.path("channel").asString() + "/"
                        + (d.path("reason").isNull() ? "null" : d.path("reason").asString())
                        + "=" + d.path("outcome").asString()));
        return shown;
    }

    private long rows(String table, UUID eventId) {
        return jdbc.sql("select count(*) from token." + table + " where event_id = :id")
                .param("id", eventId)
                .query(Long.class)
                .single();
    }

    private static void status(PushDelivery p, DeliveryStatus.Outcome outcome, Instant at) throws Exception {
        var status = new DeliveryStatus(
                p.eventId(),
                1,
                at,
                p.userId(),
                Channel.PUSH,
                p.notificationId(),
                p.deliveryId(),
                Provider.FCM,
                outcome,
                null,
                "dispatch-service");
        statuses.send(new ProducerRecord<>(
                        Topics.DELIVERY_STATUS,
                        p.eventId().toString(),
                        HeraldJson.mapper().writeValueAsBytes(status)))
                .get(30, TimeUnit.SECONDS);
    }

    private void register(String user, String token) {
        new TokenServiceClient(port).register(user, token);
    }

    private static String event(UUID eventId, String source, String channels, String... recipients) {
        return typed(eventId, source, "chat", channels, recipients);
    }

    private static String typed(UUID eventId, String source, String type, String channels, String... recipients) {
        return """
                {"eventId":"%s","schemaVersion":1,"type":"%s","source":"%s","occurredAt":"2026-12-07T10:00:00Z",
                 "recipients":%s,"title":"Hello","body":"Open the app"%s}
                """.formatted(
                        eventId,
                        type,
                        source,
                        HeraldJson.mapper().writeValueAsString(List.of(recipients)),
                        channels == null ? "" : ",\"channels\":" + channels);
    }

    private static JsonNode json(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TokenServiceClient.json(response);
    }
}
