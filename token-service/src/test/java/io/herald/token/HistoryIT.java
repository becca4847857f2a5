package io.herald.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.Channel;
import io.herald.events.DeliveryStatus;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
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
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;

/**
 * A user's notification history ({@code GET /internal/v1/users/{userId}/notifications}), written by routing events
 * from Kafka and by the statuses on {@code herald.delivery-status.v1}, read from PostgreSQL: newest first, in pages,
 * only the asking app's, each with its words as sent and every channel's outcome.
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

    @LocalServerPort
    int port;

    @AfterAll
    static void close() {
        topics.close();
        statuses.close();
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
        topics.publish(assigned, event(assigned, "booking", "technician_assigned", t0, "Technician Assigned!", user));
        topics.publish(journey, event(journey, "booking", "startjourney", t0.plusSeconds(60), "On the way", user));
        topics.publish(otherApps, event(otherApps, "shop", "order", t0.plusSeconds(90), "Your order shipped", user));
        topics.publish(reached, event(reached, "booking", "reached", t0.plusSeconds(120), "Arrived", user));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> topics.pushesOf(reached).size() == 2
                        && topics.pushesOf(otherApps).size() == 2
                        && topics.pushesOf(assigned).size() == 2);

        // What dispatch-service and ws-fanout-service report for "reached".
        PushDelivery fcm = push(reached, Provider.FCM);
        PushDelivery apns = push(reached, Provider.APNS);
        Instant later = Instant.now().plusSeconds(1);
        status(
                reached,
                user,
                Channel.PUSH,
                fcm.notificationId(),
                fcm.deliveryId(),
                Provider.FCM,
                DeliveryStatus.Outcome.DELIVERED,
                null,
                later);
        status(
                reached,
                user,
                Channel.PUSH,
                apns.notificationId(),
                apns.deliveryId(),
                Provider.APNS,
                DeliveryStatus.Outcome.FAILED,
                "BadDeviceToken",
                later);
        status(
                reached,
                user,
                Channel.INAPP,
                fcm.notificationId(),
                null,
                null,
                DeliveryStatus.Outcome.DELIVERED,
                null,
                later);

        String path = "/internal/v1/users/" + segment(user) + "/notifications?source=booking";
        JsonNode page = await().atMost(Duration.ofSeconds(30)).until(() -> json(client.get(path)), p -> {
            JsonNode first = p.path("notifications").path(0);
            return p.path("notifications").size() == 3
                    && first.path("channels").size() == 3
                    && first.path("channels").findValuesAsString("outcome").stream()
                            .noneMatch("planned"::equals);
        });

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
        assertThat(newest.path("channels"))
                .extracting(c -> c.path("channel").asString() + "/"
                        + c.path("provider").asString("-") + "/"
                        + c.path("deviceId").asString("-") + "/"
                        + c.path("platform").asString("-") + ": "
                        + c.path("outcome").asString() + " " + c.path("reason").asString(""))
                .containsExactly(
                        "inapp/-/-/-: delivered ",
                        "push/apns/" + apnsDevice + "/ios: failed BadDeviceToken",
                        "push/fcm/" + fcmDevice + "/android: delivered ");
        assertThat(newest.path("channels").get(2).path("deliveryId").asString())
                .isEqualTo(fcm.deliveryId().toString());
        // No status yet for the oldest: planned, in the inbox and on each device.
        assertThat(page.path("notifications").get(2).path("channels"))
                .extracting(c ->
                        c.path("channel").asString() + "/" + c.path("provider").asString("-") + ": "
                                + c.path("outcome").asString())
                .containsExactly("inapp/-: planned", "push/apns: planned", "push/fcm: planned");

        // The other app sees only its own.
        JsonNode shop = json(client.get("/internal/v1/users/" + segment(user) + "/notifications?source=shop"));
        assertThat(shop.path("notifications").findValuesAsString("eventId")).containsExactly(otherApps.toString());
        assertThat(shop.path("notifications").get(0).path("title").asString()).isEqualTo("Your order shipped");
        JsonNode none = json(client.get("/internal/v1/users/" + segment(user) + "/notifications?source=nobody"));
        assertThat(none.path("notifications")).isEmpty();
    }

    @Test
    void pagesFollowEachOtherWithTheCursorUntilTheOldest() {
        String user = "pager-" + UUID.randomUUID();
        var client = new TokenServiceClient(port);
        Instant t0 = Instant.parse("2026-12-07T11:00:00Z");
        List<UUID> ids =
                List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        for (int i = 0; i < ids.size(); i++) {
            // The last two at the same instant: the one routed later is the newer.
            Instant at = t0.plusSeconds(Math.min(i, 3));
            topics.publish(keyOf(user), event(ids.get(i), "booking", "status", at, "Status " + i, user));
        }
        String base = "/internal/v1/users/" + segment(user) + "/notifications?source=booking";
        await().atMost(Duration.ofSeconds(30))
                .until(() -> json(client.get(base)).path("notifications").size() == 5);

        JsonNode first = json(client.get(base + "&limit=2"));
        JsonNode second =
                json(client.get(base + "&limit=2&before=" + first.path("next").asString()));
        JsonNode third =
                json(client.get(base + "&limit=2&before=" + second.path("next").asString()));

        assertThat(first.path("notifications").findValuesAsString("title")).containsExactly("Status 4", "Status 3");
        assertThat(second.path("notifications").findValuesAsString("title")).containsExactly("Status 2", "Status 1");
        assertThat(third.path("notifications").findValuesAsString("title")).containsExactly("Status 0");
        assertThat(third.path("next").isNull()).isTrue();
        // Exactly a full page: no further page is promised.
        JsonNode all = json(client.get(base + "&limit=5"));
        assertThat(all.path("notifications")).hasSize(5);
        assertThat(all.path("next").isNull()).isTrue();
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

    private static String event(UUID id, String source, String type, Instant at, String title, String user) {
        return """
                {"eventId":"%s","schemaVersion":1,"type":"%s","source":"%s","occurredAt":"%s",
                 "recipients":[%s],"title":"%s","body":"Booking BID123","data":{"bookingId":"456"}}
                """.formatted(id, type, source, at, HeraldJson.mapper().writeValueAsString(user), title);
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
