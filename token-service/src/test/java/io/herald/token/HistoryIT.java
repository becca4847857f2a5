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
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
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
 * A user's notification history ({@code GET /internal/v1/users/{userId}/notifications}), composed: the inbox's rows
 * (ws-fanout-service's history API, here a stub answering by its contract) and token-service's rows of recipients
 * who got no inbox item, merged newest first under one cursor; each with its channels' outcomes from the inbox,
 * dispatch-service's record of sends (its stub) and the statuses on {@code herald.delivery-status.v1}; only the
 * asking app's.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=token-service", "herald.token.history.max-limit=50"})
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HistoryIT {

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("token_history");

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

    @AfterAll
    static void close() {
        topics.close();
        statuses.close();
        stubs.close();
    }

    @Test
    void anAppSeesWhatItSentAUserNewestFirstWithEachChannelsOutcome() {
        // Any subject: the id travels as one percent-encoded path segment.
        String user = "auth0|booking/" + UUID.randomUUID();
        String fcmToken = "fcm-" + UUID.randomUUID();
        String apnsToken = HexFormat.of().formatHex(randomBytes(32));
        var client = new TokenServiceClient(port);
        String fcmDevice = register(client, user, "fcm", fcmToken, "android");
        String apnsDevice = register(client, user, "apns", apnsToken, "ios");

        Instant t0 = Instant.parse("2026-12-07T10:00:00Z");
        UUID assigned = UUID.randomUUID();
        UUID journey = UUID.randomUUID();
        UUID reached = UUID.randomUUID();
        UUID otherApps = UUID.randomUUID();
        topics.publish(
                assigned, event(assigned, "booking", "technician_assigned", t0, "Technician Assigned!", user, null));
        // Push only: no inbox item, so token-service keeps its history row.
        topics.publish(
                journey, event(journey, "booking", "startjourney", t0.plusSeconds(60), "On the way", user, "push"));
        topics.publish(
                otherApps, event(otherApps, "shop", "order", t0.plusSeconds(90), "Your order shipped", user, null));
        topics.publish(reached, event(reached, "booking", "reached", t0.plusSeconds(120), "Arrived", user, null));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> topics.pushesOf(reached).size() == 2
                        && topics.pushesOf(otherApps).size() == 2
                        && topics.pushesOf(assigned).size() == 2
                        && topics.pushesOf(journey).size() == 2
                        && historyRows(journey) == 1);
        assertThat(historyRows(assigned) + historyRows(reached) + historyRows(otherApps))
                .isZero();

        // What ws-fanout-service's inbox stored, around the time journey was routed; what dispatch-service sent.
        Instant routed = jdbc.sql("select sent_at from token.notification_history where event_id = :id")
                .param("id", journey)
                .query(Instant.class)
                .single();
        stubs.stored(inApp(assigned), routed.minusSeconds(60), null);
        stubs.stored(inApp(otherApps), routed, null);
        stubs.stored(inApp(reached), routed.plusSeconds(60), routed.plusSeconds(90));
        PushDelivery fcm = push(reached, Provider.FCM);
        PushDelivery apns = push(reached, Provider.APNS);
        stubs.sent(fcm, "sent", null, routed.plusSeconds(61));
        stubs.sent(apns, "rejected", "BadDeviceToken", routed.plusSeconds(61));
        stubs.sent(push(journey, Provider.FCM), "sent", null, routed.plusSeconds(1));
        // A status of the fcm push published too, newer than dispatch's row: it wins.
        status(
                reached,
                user,
                Channel.PUSH,
                fcm.notificationId(),
                fcm.deliveryId(),
                Provider.FCM,
                DeliveryStatus.Outcome.DELIVERED,
                null,
                routed.plusSeconds(62));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> jdbc.sql("select count(*) from token.delivery_log where event_id = :id")
                                .param("id", reached)
                                .query(Long.class)
                                .single()
                        == 1);

        String path = "/internal/v1/users/" + segment(user) + "/notifications?source=booking";
        long dispatchCalls = dispatchCalls();
        JsonNode page = json(client.get(path));

        assertThat(page.path("userId").asString()).isEqualTo(user);
        assertThat(page.path("notifications").findValuesAsString("eventId"))
                .containsExactly(reached.toString(), journey.toString(), assigned.toString());
        assertThat(page.path("next").isNull()).isTrue();
        JsonNode newest = page.path("notifications").get(0);
        assertThat(newest.path("notificationId").asString())
                .isEqualTo(Ids.notificationId(reached, "booking", user).toString());
        assertThat(newest.path("type").asString()).isEqualTo("reached");
        assertThat(newest.path("title").asString()).isEqualTo("Arrived");
        assertThat(newest.path("body").asString()).isEqualTo("Booking BID123");
        assertThat(Instant.parse(newest.path("occurredAt").asString())).isEqualTo(t0.plusSeconds(120));
        assertThat(Instant.parse(newest.path("sentAt").asString())).isEqualTo(routed.plusSeconds(60));
        assertThat(newest.path("channels"))
                .extracting(c -> c.path("channel").asString() + "/"
                        + c.path("provider").asString("-") + "/"
                        + c.path("deviceId").asString("-") + "/"
                        + c.path("platform").asString("-") + ": "
                        + c.path("outcome").asString() + " " + c.path("reason").asString(""))
                .containsExactly(
                        "inapp/-/-/-: read ",
                        "push/apns/" + apnsDevice + "/ios: rejected BadDeviceToken",
                        "push/fcm/" + fcmDevice + "/android: delivered ");
        assertThat(newest.path("channels").get(2).path("deliveryId").asString())
                .isEqualTo(fcm.deliveryId().toString());
        // The push-only one: its words from token-service's row, the one push dispatch has tried so far.
        JsonNode pushOnly = page.path("notifications").get(1);
        assertThat(pushOnly.path("title").asString()).isEqualTo("On the way");
        assertThat(pushOnly.path("channels"))
                .extracting(c ->
                        c.path("channel").asString() + "/" + c.path("provider").asString("-") + ": "
                                + c.path("outcome").asString())
                .containsExactly("push/fcm: sent");
        // The oldest: stored in the inbox, no push tried yet.
        assertThat(page.path("notifications").get(2).path("channels"))
                .extracting(c ->
                        c.path("channel").asString() + ": " + c.path("outcome").asString())
                .containsExactly("inapp: stored");
        // One call to dispatch-service for the page's events.
        assertThat(dispatchCalls()).isEqualTo(dispatchCalls + 1);

        // The other app sees only its own.
        JsonNode shop = json(client.get("/internal/v1/users/" + segment(user) + "/notifications?source=shop"));
        assertThat(shop.path("notifications").findValuesAsString("eventId")).containsExactly(otherApps.toString());
        assertThat(shop.path("notifications").get(0).path("title").asString()).isEqualTo("Your order shipped");
        JsonNode none = json(client.get("/internal/v1/users/" + segment(user) + "/notifications?source=nobody"));
        assertThat(none.path("notifications")).isEmpty();
    }

    @Test
    void pagesOfTheInboxAndOfPushOnlyNotificationsFollowEachOtherUnderOneCursor() {
        String user = "pager-" + UUID.randomUUID();
        var client = new TokenServiceClient(port);
        register(client, user, "fcm", "fcm-" + UUID.randomUUID(), "android");
        Instant t0 = Instant.parse("2026-12-07T11:00:00Z");
        List<UUID> pushOnly = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        for (int i = 0; i < pushOnly.size(); i++) {
            topics.publish(keyOf(user), event(pushOnly.get(i), "booking", "status", t0, "Push " + i, user, "push"));
        }
        UUID newer = UUID.randomUUID();
        UUID older = UUID.randomUUID();
        topics.publish(keyOf(user), event(newer, "booking", "status", t0, "Inbox newer", user, null));
        topics.publish(keyOf(user), event(older, "booking", "status", t0, "Inbox older", user, null));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !topics.inAppOf(older).isEmpty()
                        && !topics.inAppOf(newer).isEmpty());
        // token-service's rows in their order (routed in one poll, they may share a time: then by notification id).
        List<String> routed =
                jdbc.sql("""
                        select title from token.notification_history where user_id = :user
                        order by sent_at desc, notification_id desc
                        """).param("user", user).query(String.class).list();
        assertThat(routed).hasSize(3);
        Instant newest = jdbc.sql("select max(sent_at) from token.notification_history where user_id = :user")
                .param("user", user)
                .query(Instant.class)
                .single();
        Instant oldest = jdbc.sql("select min(sent_at) from token.notification_history where user_id = :user")
                .param("user", user)
                .query(Instant.class)
                .single();
        stubs.stored(topics.inAppOf(newer).getFirst(), newest.plusSeconds(1), null);
        stubs.stored(topics.inAppOf(older).getFirst(), oldest.minusSeconds(1), null);
        String base = "/internal/v1/users/" + segment(user) + "/notifications?source=booking";

        JsonNode first = json(client.get(base + "&limit=2"));
        JsonNode second =
                json(client.get(base + "&limit=2&before=" + first.path("next").asString()));
        JsonNode third =
                json(client.get(base + "&limit=2&before=" + second.path("next").asString()));

        assertThat(first.path("notifications").findValuesAsString("title"))
                .containsExactly("Inbox newer", routed.get(0));
        assertThat(second.path("notifications").findValuesAsString("title"))
                .containsExactly(routed.get(1), routed.get(2));
        assertThat(third.path("notifications").findValuesAsString("title")).containsExactly("Inbox older");
        assertThat(third.path("next").isNull()).isTrue();
        // Exactly a full page: no further page is promised.
        JsonNode all = json(client.get(base + "&limit=5"));
        assertThat(all.path("notifications")).hasSize(5);
        assertThat(all.path("next").isNull()).isTrue();
        // ws-fanout was asked with the cursor as its contract names it.
        assertThat(stubs.asked)
                .filteredOn(a -> a.service().equals("fanout") && a.rawQuery().contains("beforeAt="))
                .isNotEmpty()
                .allSatisfy(a -> assertThat(a.rawQuery()).contains("&beforeId=").contains("source=booking"));
    }

    @Test
    void anUpdateOfAStoredNotificationIsListedBesideItUnderTheSameNotificationId() {
        String user = "updated-" + UUID.randomUUID();
        var client = new TokenServiceClient(port);
        register(client, user, "fcm", "fcm-" + UUID.randomUUID(), "android");
        Instant t0 = Instant.parse("2026-12-07T12:00:00Z");
        UUID original = UUID.randomUUID();
        UUID update = UUID.randomUUID();
        topics.publish(keyOf(user), event(original, "booking", "status", t0, "Booked", user, null));
        topics.publish(keyOf(user), """
                {"eventId":"%s","schemaVersion":1,"type":"status","source":"booking","occurredAt":"%s",
                 "recipients":[%s],"title":"Moved","body":"Now at 5 pm","change":{"kind":"update","eventId":"%s"}}
                """.formatted(
                        update, t0.plusSeconds(60), HeraldJson.mapper().writeValueAsString(user), original));
        await().atMost(Duration.ofSeconds(30)).until(() -> historyRows(update) == 1);
        Instant routed = jdbc.sql("select sent_at from token.notification_history where event_id = :id")
                .param("id", update)
                .query(Instant.class)
                .single();
        stubs.stored(inApp(original), routed.minusSeconds(1), null);

        JsonNode page = json(client.get("/internal/v1/users/" + segment(user) + "/notifications?source=booking"));

        UUID notification = Ids.notificationId(original, "booking", user);
        assertThat(page.path("notifications"))
                .extracting(n -> n.path("eventId").asString() + " "
                        + n.path("notificationId").asString() + " "
                        + n.path("change").asString("-"))
                .containsExactly(update + " " + notification + " update", original + " " + notification + " -");
    }

    @Test
    void badParametersAreProblemsNamingTheParameter() {
        var client = new TokenServiceClient(port);
        String base = "/internal/v1/users/u/notifications";
        Map<String, String> cases = Map.of(
                base + "?source=booking&limit=0",
                "limit",
                base + "?source=booking&limit=51",
                "limit",
                base + "?source=booking&limit=ten",
                "limit",
                base + "?source=booking&before=not-a-cursor",
                "before",
                base + "?source=booking&before=MTIzNA",
                "before",
                base,
                "source");
        cases.forEach((path, field) -> {
            HttpResponse<String> response = client.get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            JsonNode problem = TokenServiceClient.json(response);
            assertThat(problem.path("type").asString()).isEqualTo("https://herald.dev/problems/invalid-parameter");
            assertThat(problem.path("field").asString()).as(path).isEqualTo(field);
        });
        assertThat(client.get(base + "?source=booking&limit=50").statusCode()).isEqualTo(200);
    }

    private static String event(
            UUID id, String source, String type, Instant at, String title, String user, String onlyChannel) {
        return """
                {"eventId":"%s","schemaVersion":1,"type":"%s","source":"%s","occurredAt":"%s",
                 "recipients":[%s],"title":"%s","body":"Booking BID123","data":{"bookingId":"456"}%s}
                """.formatted(
                        id,
                        type,
                        source,
                        at,
                        HeraldJson.mapper().writeValueAsString(user),
                        title,
                        onlyChannel == null ? "" : ",\"channels\":[\"" + onlyChannel + "\"]");
    }

    private static long dispatchCalls() {
        return stubs.asked.stream().filter(a -> a.service().equals("dispatch")).count();
    }

    private long historyRows(UUID eventId) {
        return jdbc.sql("select count(*) from token.notification_history where event_id = :id")
                .param("id", eventId)
                .query(Long.class)
                .single();
    }

    private static InAppNotification inApp(UUID eventId) {
        return topics.inAppOf(eventId).getFirst();
    }

    /** The key events of one user are published under, so that they are routed in the order published. */
    private static UUID keyOf(String user) {
        return UUID.nameUUIDFromBytes(user.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static PushDelivery push(UUID eventId, Provider provider) {
        return topics.pushesOf(eventId).stream()
                .filter(p -> p.provider() == provider)
                .findFirst()
                .orElseThrow();
    }

    private static void status(
            UUID eventId,
            String user,
            Channel channel,
            UUID notificationId,
            UUID deliveryId,
            Provider provider,
            DeliveryStatus.Outcome outcome,
            String reason,
            Instant at) {
        var status = new DeliveryStatus(
                eventId, 1, at, user, channel, notificationId, deliveryId, provider, outcome, reason, "test");
        try {
            statuses.send(new ProducerRecord<>(
                            Topics.DELIVERY_STATUS,
                            eventId.toString(),
                            HeraldJson.mapper().writeValueAsBytes(status)))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String register(TokenServiceClient client, String user, String provider, String token, String os) {
        HttpResponse<String> response = client.post(
                "/internal/v1/users/" + segment(user) + "/devices",
                "{\"provider\":\"%s\",\"token\":\"%s\",\"platform\":\"%s\"}".formatted(provider, token, os));
        assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
        return TokenServiceClient.json(response).path("deviceId").asString();
    }

    /** The user id as one path segment, as the gateway sends it. */
    private static String segment(String user) {
        return java.net.URLEncoder.encode(user, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20")
                .replace(".", "%2E");
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    private static JsonNode json(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TokenServiceClient.json(response);
    }
}
