package io.herald.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.Badge;
import io.herald.events.Change;
import io.herald.events.Channel;
import io.herald.events.DeliveryStatus;
import io.herald.events.HeraldHeaders;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.events.TokenFeedback;
import io.herald.events.Topics;
import io.herald.events.TraceContext;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.token.devices.DevicePruner;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** token-service through its internal HTTP API, a real Kafka broker and a real PostgreSQL. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=token-service",
            // as an operator would run it: JSON logs, routing decisions logged
            "logging.structured.format.console=ecs",
            "logging.level.io.herald.token.routing=debug"
        })
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TokenServiceIT {

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("token");

    static KafkaProducer<String, byte[]> producer;
    static KafkaConsumer<String, byte[]> consumer;
    static final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
    static final ServiceStubs stubs = ServiceStubs.start();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        stubs.register(registry);
        registry.add("herald.token.templates[product_like][fr].title", () -> "Votre produit a plu");
        registry.add("herald.token.templates[product_like][fr].body", () -> "{actor} aime « {object} »");
        registry.add("herald.token.templates[product_like][fr].android-channel", () -> "social");
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    DevicePruner pruner;

    @Autowired
    MeterRegistry meters;

    @BeforeAll
    static void clients() {
        producer = infra.producer();
        consumer = infra.consumer();
    }

    @AfterAll
    static void close() {
        producer.close();
        consumer.close();
        stubs.close();
    }

    @Test
    void aDeviceIsRegisteredOnceRefreshedAndMovedBetweenUsers() {
        String alice = "alice-" + UUID.randomUUID();
        String bob = "bob-" + UUID.randomUUID();
        String token = "fcm-token-" + UUID.randomUUID();
        String body =
                "{\"provider\":\"fcm\",\"token\":\"" + token + "\",\"platform\":\"android\",\"locale\":\"en-US\"}";

        var created = call("POST", "/internal/v1/users/" + alice + "/devices", body);
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode device = json(created);
        assertThat(device.path("tokenSuffix").asString()).isEqualTo(token.substring(token.length() - 6));
        assertThat(created.body()).doesNotContain(token);

        var refreshed = call("POST", "/internal/v1/users/" + alice + "/devices", body);
        assertThat(refreshed.statusCode()).isEqualTo(200);
        assertThat(json(refreshed).path("deviceId").asString())
                .isEqualTo(device.path("deviceId").asString());
        assertThat(json(call("GET", "/internal/v1/users/" + alice + "/devices", null)))
                .hasSize(1);

        assertThat(call("POST", "/internal/v1/users/" + bob + "/devices", body).statusCode())
                .isEqualTo(200);
        assertThat(json(call("GET", "/internal/v1/users/" + alice + "/devices", null)))
                .isEmpty();
        assertThat(json(call("GET", "/internal/v1/users/" + bob + "/devices", null)))
                .hasSize(1);

        String path = "/devices/" + device.path("deviceId").asString();
        assertThat(call("DELETE", "/internal/v1/users/" + alice + path, null).statusCode())
                .isEqualTo(404);
        assertThat(call("DELETE", "/internal/v1/users/" + bob + path, null).statusCode())
                .isEqualTo(204);
        assertThat(json(call("GET", "/internal/v1/users/" + bob + "/devices", null)))
                .isEmpty();
    }

    @Test
    void badRegistrationsAnswerProblemDetailsNamingTheField() {
        String user = "u-" + UUID.randomUUID();
        record Case(String body, String field) {}
        for (var c : List.of(
                new Case("{\"provider\":\"pigeon\",\"token\":\"x\",\"platform\":\"android\"}", "provider"),
                new Case("{\"provider\":\"fcm\",\"token\":\"\",\"platform\":\"android\"}", "token"),
                new Case("{\"provider\":\"expo\",\"token\":\"abc\",\"platform\":\"ios\"}", "token"),
                new Case("{\"provider\":\"apns\",\"token\":\"1234\",\"platform\":\"ios\"}", "token"),
                new Case("{\"provider\":\"fcm\",\"token\":\"ok\",\"platform\":\"toaster\"}", "platform"),
                new Case(
                        "{\"provider\":\"webpush\",\"token\":\"{\\\"endpoint\\\":\\\"http://x\\\"}\",\"platform\":\"web\"}",
                        "token"),
                new Case(
                        "{\"provider\":\"fcm\",\"token\":\"ok\",\"platform\":\"android\",\"firebaseInstallationId\":\"short\"}",
                        "firebaseInstallationId"),
                new Case(
                        "{\"provider\":\"fcm\",\"token\":\"ok\",\"platform\":\"ios\",\"timeZone\":\"Mars/Base\"}",
                        "timeZone"))) {
            var response = call("POST", "/internal/v1/users/" + user + "/devices", c.body());
            assertThat(response.statusCode()).as(c.body()).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(json(response).path("errors").get(0).path("field").asString())
                    .as(c.body())
                    .isEqualTo(c.field());
        }
        var notJson = call("POST", "/internal/v1/users/" + user + "/devices", "{nope");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(call(
                                "POST",
                                "/internal/v1/users/" + user + "/devices",
                                "{\"provider\":\"expo\",\"token\":\"ExponentPushToken[abc123]\",\"platform\":\"ios\"}")
                        .statusCode())
                .isEqualTo(201);
        String subscription =
                "{\\\"endpoint\\\":\\\"https://push.example/abc\\\",\\\"keys\\\":{\\\"p256dh\\\":\\\"BN\\\",\\\"auth\\\":\\\"k\\\"}}";
        var webPush = call(
                "POST",
                "/internal/v1/users/" + user + "/devices",
                "{\"provider\":\"webpush\",\"token\":\"" + subscription + "\",\"platform\":\"web\"}");
        assertThat(webPush.statusCode()).as(webPush.body()).isEqualTo(201);
        var withFid = call(
                "POST",
                "/internal/v1/users/" + user + "/devices",
                "{\"provider\":\"fcm\",\"token\":\"fcm-with-fid\",\"platform\":\"android\","
                        + "\"firebaseInstallationId\":\"cAbCdEfGhIjKlMnOpQrStU\"}");
        assertThat(withFid.statusCode()).as(withFid.body()).isEqualTo(201);
    }

    @Test
    void aLikeIsRoutedToEveryDeviceOfTheOwnerNeverToTheActorAndARepeatUnderTheSameIds() {
        String seller = "seller-" + UUID.randomUUID();
        String liker = "liker-" + UUID.randomUUID();
        register(seller, "seller-phone-" + UUID.randomUUID());
        register(seller, "seller-tablet-" + UUID.randomUUID());
        register(liker, "liker-phone-" + UUID.randomUUID());
        UUID eventId = UUID.randomUUID();
        String event = """
                {"eventId":"%s","schemaVersion":1,"type":"product_like","source":"shop","occurredAt":"2026-11-24T10:00:00Z",
                 "actor":{"id":"%s","displayName":"Lena"},"recipients":["%s","%s"],
                 "object":{"id":"p-9","kind":"product","title":"Green chair"},"data":{"productId":"p-9"}}
                """.formatted(eventId, liker, seller, liker);

        publish(eventId.toString(), event.getBytes(StandardCharsets.UTF_8));
        publish(eventId.toString(), event.getBytes(StandardCharsets.UTF_8));

        await().atMost(Duration.ofSeconds(30))
                .until(() -> pushesOf(eventId).size() >= 2 && inAppOf(eventId).size() >= 1);
        // A later event on the same partition shows the duplicate was consumed: routed again (or once, when both
        // came in one poll) under the same ids, which dispatch-service and the inbox take once.
        UUID later = UUID.randomUUID();
        publish(
                eventId.toString(),
                event.replace(eventId.toString(), later.toString()).getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(30)).until(() -> inAppOf(later).size() == 1);

        assertThat(pushesOf(eventId).stream().map(PushDelivery::deliveryId).distinct())
                .hasSize(2);
        assertThat(pushesOf(eventId)).allSatisfy(p -> {
            assertThat(p.userId()).isEqualTo(seller);
            assertThat(p.title()).isEqualTo("Your product was liked");
            assertThat(p.body()).isEqualTo("Lena liked your product \"Green chair\"");
            assertThat(p.data()).containsEntry("productId", "p-9");
        });
        assertThat(inAppOf(eventId))
                .extracting(InAppNotification::notificationId)
                .containsOnly(Ids.notificationId(eventId, "shop", seller));
    }

    @Test
    void anEventsTraceGoesOnToItsNotificationsAndIntoTheJsonLogOfItsRouting(CapturedOutput output) throws Exception {
        String seller = "seller-" + UUID.randomUUID();
        register(seller, "seller-phone-" + UUID.randomUUID());
        UUID eventId = UUID.randomUUID();
        String traceId = "4bf92f3577b34da6a3ce929d0e0e" + eventId.toString().substring(0, 4);
        var record =
                new ProducerRecord<String, byte[]>(Topics.EVENTS, eventId.toString(), """
                {"eventId":"%s","schemaVersion":1,"type":"product_like","source":"shop","occurredAt":"2026-11-24T10:00:00Z",
                 "actor":{"id":"someone","displayName":"Lena"},"recipients":["%s"],
                 "object":{"id":"p-9","kind":"product","title":"Green chair"}}
                """.formatted(eventId, seller)
                        .getBytes(StandardCharsets.UTF_8));
        record.headers()
                .add("traceparent", ("00-" + traceId + "-00f067aa0ba902b7-01").getBytes(StandardCharsets.UTF_8));
        producer.send(record).get();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> pushesOf(eventId).size() == 1 && inAppOf(eventId).size() == 1);
        assertThat(records().stream()
                        .filter(r -> r.topic().equals(Topics.PUSH) || r.topic().equals(Topics.INAPP))
                        .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains(eventId.toString()))
                        .map(r -> TraceContext.traceId(TraceContext.traceparent(r.headers()))))
                .hasSize(2)
                .containsOnly(traceId);
        JsonNode line = output.getOut()
                .lines()
                .filter(l -> l.startsWith("{") && l.contains(eventId.toString()) && l.contains("planned"))
                .map(l -> HeraldJson.mapper().readTree(l))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no JSON log line for the routing of " + eventId));
        assertThat(line.path("eventId").asString()).isEqualTo(eventId.toString());
        assertThat(line.path("traceId").asString()).isEqualTo(traceId);
    }

    @Test
    void topicsAreCreatedWithTheirRetentionAndConsumerGroupsAreNamedForHerald() throws Exception {
        try (var admin = Admin.create(Map.<String, Object>of("bootstrap.servers", infra.bootstrapServers()))) {
            var events = new ConfigResource(ConfigResource.Type.TOPIC, Topics.EVENTS);
            var deadLetters = new ConfigResource(ConfigResource.Type.TOPIC, Topics.EVENTS_DLT);
            var configs =
                    admin.describeConfigs(List.of(events, deadLetters)).all().get();
            assertThat(configs.get(events).get("retention.ms").value())
                    .isEqualTo(Long.toString(Duration.ofDays(7).toMillis()));
            assertThat(configs.get(deadLetters).get("retention.ms").value())
                    .isEqualTo(Long.toString(Duration.ofDays(30).toMillis()));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(admin.listGroups().all().get())
                            .extracting(GroupListing::groupId)
                            .contains("herald-token-router", "herald-token-feedback", "herald-token-delivery-log"));
        }
    }

    @Test
    void unreadableAndSchemaInvalidEventsAreDeadLetteredAndRoutingCarriesOn() {
        String user = "u-" + UUID.randomUUID();
        register(user, "phone-" + UUID.randomUUID());
        publish("bad-1", "{not json".getBytes(StandardCharsets.UTF_8));
        publish("bad-2", "{\"type\":\"product_like\",\"recipients\":[]}".getBytes(StandardCharsets.UTF_8));
        UUID good = UUID.randomUUID();
        publish(good.toString(), """
                {"eventId":"%s","schemaVersion":1,"type":"chat","source":"chat","occurredAt":"2026-11-24T10:00:00Z",
                 "recipients":["%s"],"title":"New message","body":"Hi"}
                """.formatted(good, user).getBytes(StandardCharsets.UTF_8));

        await().atMost(Duration.ofSeconds(30)).until(() -> pushesOf(good).size() == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> dead().size() >= 2);
        var byKey = new HashMap<String, ConsumerRecord<String, byte[]>>();
        dead().forEach(r -> byKey.put(r.key(), r));
        assertThat(header(byKey.get("bad-1"), HeraldHeaders.DLT_REASON_CODE)).isEqualTo("invalid-json");
        assertThat(new String(byKey.get("bad-1").value(), StandardCharsets.UTF_8))
                .isEqualTo("{not json");
        assertThat(header(byKey.get("bad-2"), HeraldHeaders.DLT_REASON_CODE)).isEqualTo("schema-violation");
        assertThat(header(byKey.get("bad-2"), HeraldHeaders.DLT_REASON)).isNotBlank();
        assertThat(header(byKey.get("bad-2"), HeraldHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(Topics.EVENTS);
        assertThat(header(byKey.get("bad-2"), HeraldHeaders.DLT_SERVICE)).isEqualTo("token-service");
        assertThat(pushesOf(good).getFirst().title()).isEqualTo("New message");
    }

    @Test
    void deadTokensAreDeactivatedAtOnceAndStaleDevicesPruned() {
        String user = "u-" + UUID.randomUUID();
        String dead = "dead-" + UUID.randomUUID();
        String stale = "stale-" + UUID.randomUUID();
        register(user, dead);
        register(user, stale);
        var feedback = new TokenFeedback(null, 1, Instant.now(), Provider.FCM, dead, "UNREGISTERED", null);
        producer.send(new ProducerRecord<>(
                Topics.TOKEN_FEEDBACK, dead, HeraldJson.mapper().writeValueAsBytes(feedback)));

        await().atMost(Duration.ofSeconds(30))
                .until(() -> json(call("GET", "/internal/v1/users/" + user + "/devices", null))
                                .size()
                        == 1);
        jdbc.sql("update token.devices set last_seen_at = now() - interval '271 days' where token = :t")
                .param("t", stale)
                .update();
        assertThat(pruner.prune()).isGreaterThanOrEqualTo(1);
        assertThat(json(call("GET", "/internal/v1/users/" + user + "/devices", null)))
                .isEmpty();
    }

    @Test
    void theDeliveryLogShowsTheSkipsAtOnceAndEachPushOnceDispatchHasTriedIt() {
        String seller = "seller-" + UUID.randomUUID();
        register(seller, "phone-" + UUID.randomUUID());
        register(seller, "tablet-" + UUID.randomUUID());
        UUID eventId = UUID.randomUUID();
        publish(eventId.toString(), like(eventId, "buyer", seller, "buyer").getBytes(StandardCharsets.UTF_8));

        // Routed: the actor's skip is token-service's own row; the plans are not rows (no "planned" entries).
        await().atMost(Duration.ofSeconds(30))
                .until(() -> call("GET", "/internal/v1/events/" + eventId + "/deliveries", null)
                                .statusCode()
                        == 200);
        JsonNode routed = json(call("GET", "/internal/v1/events/" + eventId + "/deliveries", null))
                .path("deliveries");
        assertThat(routed.findValuesAsString("outcome")).containsExactly("skipped");

        List<PushDelivery> pushes =
                await().atMost(Duration.ofSeconds(30)).until(() -> pushesOf(eventId), l -> l.size() == 2);
        stubs.sent(pushes.getFirst(), "sent", null, Instant.now());

        JsonNode rows = json(call("GET", "/internal/v1/events/" + eventId + "/deliveries", null))
                .path("deliveries");
        assertThat(rows.findValuesAsString("outcome")).containsExactlyInAnyOrder("sent", "skipped");
        assertThat(rows.findValuesAsString("provider")).contains("fcm");
        assertThat(jdbc.sql("select count(*) from token.delivery_log where event_id = :id")
                        .param("id", eventId)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        // Once the inbox stored the seller's notification, its row names the app: the one known, shown as source.
        stubs.stored(inAppOf(eventId).getFirst(), Instant.now(), null);
        JsonNode stored = json(call("GET", "/internal/v1/events/" + eventId + "/deliveries", null));
        assertThat(stored.path("deliveries").findValuesAsString("outcome"))
                .containsExactlyInAnyOrder("stored", "sent", "skipped");
        assertThat(stored.path("source").asString()).isEqualTo("shop");
        assertThat(call("GET", "/internal/v1/events/" + UUID.randomUUID() + "/deliveries", null)
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void deliveryStatusesAreLoggedAPollAtATimeAndABadOneIsDeadLetteredAlone() throws Exception {
        UUID eventId = UUID.randomUUID();
        String user = "logged-" + UUID.randomUUID();
        UUID first = UUID.randomUUID();
        UUID refused = UUID.randomUUID();
        UUID last = UUID.randomUUID();
        String key = eventId.toString();
        // One key, one partition, sent together: usually one poll, in this order.
        statusesTogether(
                key,
                status(eventId, user, first, null),
                "{\"eventId\": not json".getBytes(StandardCharsets.UTF_8),
                // PostgreSQL's timestamptz ends in the year 294276: the row is refused.
                status(
                        eventId,
                        user,
                        refused,
                        DeliveryStatus.Outcome.SENT,
                        null,
                        Instant.parse("+300000-01-01T00:00:00Z")),
                status(eventId, user, last, null));

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(jdbc.sql(
                                        "select delivery_key from token.delivery_log where event_id = :id order by delivery_key")
                                .param("id", eventId)
                                .query(String.class)
                                .list())
                        .containsExactlyInAnyOrder(first.toString(), last.toString()));
        List<ConsumerRecord<String, byte[]>> dead = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> records().stream()
                                .filter(r -> r.topic().equals(Topics.DELIVERY_STATUS_DLT) && key.equals(r.key()))
                                .toList(),
                        l -> l.size() >= 2);
        assertThat(dead).hasSize(2);
        assertThat(header(dead.get(0), HeraldHeaders.DLT_REASON_CODE)).isEqualTo("invalid-json");
        assertThat(header(dead.get(1), HeraldHeaders.DLT_REASON_CODE)).isEqualTo("schema-violation");
        assertThat(header(dead.get(1), HeraldHeaders.DLT_REASON)).contains("refused by the delivery log");
        assertThat(HeraldJson.mapper()
                        .readTree(dead.get(1).value())
                        .path("deliveryId")
                        .asString())
                .isEqualTo(refused.toString());
    }

    @Test
    void twoStatusesOfOneDeliveryInOnePollLeaveTheNewest() throws Exception {
        UUID eventId = UUID.randomUUID();
        String user = "twice-" + UUID.randomUUID();
        UUID delivery = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        String key = eventId.toString();
        Instant at = Instant.now();
        // One key, one partition, sent together: one poll, so one batch holds the same row three times.
        statusesTogether(
                key,
                status(eventId, user, delivery, DeliveryStatus.Outcome.SENT, null, at),
                status(eventId, user, delivery, DeliveryStatus.Outcome.REJECTED, null, at.plusSeconds(1)),
                status(eventId, user, delivery, DeliveryStatus.Outcome.FAILED, null, at.minusSeconds(1)),
                status(eventId, user, other, DeliveryStatus.Outcome.SENT, null, at));

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(jdbc.sql(
                                        "select delivery_key || '=' || outcome from token.delivery_log where event_id = :id")
                                .param("id", eventId)
                                .query(String.class)
                                .list())
                        .containsExactlyInAnyOrder(delivery + "=rejected", other + "=sent"));
        assertThat(records().stream()
                        .filter(r -> r.topic().equals(Topics.DELIVERY_STATUS_DLT) && key.equals(r.key()))
                        .toList())
                .isEmpty();
    }

    /** Sends the records to herald.delivery-status.v1 under one key, together, and waits for Kafka's acks. */
    private static void statusesTogether(String key, byte[]... values) throws Exception {
        var sends = Arrays.stream(values)
                .map(value -> producer.send(new ProducerRecord<>(Topics.DELIVERY_STATUS, key, value)))
                .toList();
        for (var send : sends) {
            send.get(10, TimeUnit.SECONDS);
        }
    }

    private static byte[] status(UUID eventId, String user, UUID deliveryId, String reason) {
        return status(eventId, user, deliveryId, DeliveryStatus.Outcome.SENT, reason, Instant.now());
    }

    private static byte[] status(
            UUID eventId, String user, UUID deliveryId, DeliveryStatus.Outcome outcome, String reason, Instant at) {
        return HeraldJson.mapper()
                .writeValueAsBytes(new DeliveryStatus(
                        eventId,
                        1,
                        at,
                        user,
                        Channel.PUSH,
                        UUID.randomUUID(),
                        deliveryId,
                        Provider.FCM,
                        outcome,
                        reason,
                        "dispatch-service"));
    }

    @Test
    void preferencesAreKeptPerUserAndMuteRouting() {
        String user = "quiet-" + UUID.randomUUID();
        register(user, "phone-" + UUID.randomUUID());
        var bad = call(
                "PUT",
                "/internal/v1/users/" + user + "/preferences",
                "{\"muteAll\":false,\"mutedChannels\":{\"chat\":[\"smoke-signal\"]}}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        // A time zone of their own and quiet hours that defer: kept as sent; an unknown zone or mode is refused.
        var deferring = call(
                "PUT",
                "/internal/v1/users/" + user + "/preferences",
                "{\"muteAll\":false,\"timeZone\":\"America/Sao_Paulo\",\"quietHours\":{\"start\":\"22:00\","
                        + "\"end\":\"07:00\",\"timeZone\":\"Europe/Paris\",\"mode\":\"defer\"}}");
        assertThat(deferring.statusCode()).as(deferring.body()).isEqualTo(200);
        JsonNode read = json(call("GET", "/internal/v1/users/" + user + "/preferences", null));
        assertThat(read.path("timeZone").asString()).isEqualTo("America/Sao_Paulo");
        assertThat(read.path("quietHours").path("mode").asString()).isEqualTo("defer");
        var badZone = call(
                "PUT", "/internal/v1/users/" + user + "/preferences", "{\"muteAll\":false,\"timeZone\":\"Mars/Base\"}");
        assertThat(badZone.statusCode()).isEqualTo(400);
        assertThat(json(badZone).path("detail").asString()).startsWith("timeZone:");
        var badMode = call(
                "PUT",
                "/internal/v1/users/" + user + "/preferences",
                "{\"muteAll\":false,\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\","
                        + "\"timeZone\":\"UTC\",\"mode\":\"snooze\"}}");
        assertThat(badMode.statusCode()).isEqualTo(400);
        assertThat(json(badMode).path("field").asString()).isEqualTo("quietHours.mode");
        var saved = call(
                "PUT",
                "/internal/v1/users/" + user + "/preferences",
                "{\"muteAll\":false,\"mutedTypes\":[\"product_like\"],\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\",\"timeZone\":\"Europe/Paris\"}}");
        assertThat(saved.statusCode()).isEqualTo(200);
        assertThat(json(call("GET", "/internal/v1/users/" + user + "/preferences", null))
                        .path("mutedTypes")
                        .get(0)
                        .asString())
                .isEqualTo("product_like");
        assertThat(json(call("GET", "/internal/v1/users/someone-else/preferences", null))
                        .path("mutedTypes"))
                .isEmpty();

        UUID eventId = UUID.randomUUID();
        publish(eventId.toString(), like(eventId, "liker", user, "liker").getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode rows = json(call("GET", "/internal/v1/events/" + eventId + "/deliveries", null))
                    .path("deliveries");
            assertThat(rows.findValuesAsString("reason")).contains("muted by preferences");
        });
        assertThat(pushesOf(eventId)).isEmpty();
    }

    @Test
    void anEventForMoreThanTenThousandRecipientsIsDeadLettered() {
        UUID eventId = UUID.randomUUID();
        var recipients = new StringJoiner("\",\"", "[\"", "\"]");
        for (int i = 0; i <= 10_000; i++) {
            recipients.add("r" + i);
        }
        publish(
                eventId.toString(),
                ("{\"eventId\":\"" + eventId + "\",\"schemaVersion\":1,\"type\":\"chat\",\"source\":\"s\","
                                + "\"occurredAt\":\"2026-11-24T10:00:00Z\",\"title\":\"t\",\"recipients\":" + recipients
                                + "}")
                        .getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> dead().stream().anyMatch(r -> r.key().equals(eventId.toString())));
        var record = dead().stream()
                .filter(r -> r.key().equals(eventId.toString()))
                .findFirst()
                .orElseThrow();
        assertThat(header(record, HeraldHeaders.DLT_REASON_CODE)).isEqualTo("schema-violation");
    }

    @Test
    void configuredTemplatesSpeakTheDevicesLanguage() {
        String user = "fr-" + UUID.randomUUID();
        var response = call(
                "POST",
                "/internal/v1/users/" + user + "/devices",
                "{\"provider\":\"fcm\",\"token\":\"fr-" + UUID.randomUUID()
                        + "\",\"platform\":\"android\",\"locale\":\"fr-FR\"}");
        assertThat(response.statusCode()).isEqualTo(201);
        UUID eventId = UUID.randomUUID();
        publish(eventId.toString(), like(eventId, "liker", user, "liker").getBytes(StandardCharsets.UTF_8));

        PushDelivery push = await().atMost(Duration.ofSeconds(30))
                .until(() -> pushesOf(eventId), l -> !l.isEmpty())
                .getFirst();
        assertThat(push.title()).isEqualTo("Votre produit a plu");
        assertThat(push.body()).isEqualTo("Lena aime « Green chair »");
    }

    @Test
    void eventsThatCannotBePushedAreExplainedInTheDeliveryLog() {
        String user = "u-" + UUID.randomUUID();
        register(user, "phone-" + UUID.randomUUID());
        UUID unknown = UUID.randomUUID();
        publish(unknown.toString(), """
                {"eventId":"%s","schemaVersion":1,"type":"loyalty_points","source":"shop","occurredAt":"2026-11-24T10:00:00Z",
                 "recipients":["%s"]}""".formatted(unknown, user).getBytes(StandardCharsets.UTF_8));
        UUID oversize = UUID.randomUUID();
        var data = new StringJoiner(",", "{", "}");
        for (int i = 0; i < 3; i++) {
            data.add("\"k" + i + "\":\"" + "x".repeat(2000) + "\"");
        }
        publish(oversize.toString(), """
                {"eventId":"%s","schemaVersion":1,"type":"chat","source":"chat","occurredAt":"2026-11-24T10:00:00Z",
                 "recipients":["%s","nobody-%s"],"title":"Hi","body":"Long","data":%s}""".formatted(oversize, user, UUID.randomUUID(), data)
                .getBytes(StandardCharsets.UTF_8));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(json(call("GET", "/internal/v1/events/" + unknown + "/deliveries", null))
                            .path("deliveries")
                            .findValuesAsString("reason"))
                    .singleElement()
                    .asString()
                    .startsWith("no-template");
            assertThat(json(call("GET", "/internal/v1/events/" + oversize + "/deliveries", null))
                            .path("deliveries")
                            .findValuesAsString("reason"))
                    .anySatisfy(r -> assertThat(r).startsWith("payload-too-large"))
                    .contains("no-active-devices");
        });
        assertThat(pushesOf(oversize)).isEmpty();
        assertThat(inAppOf(oversize)).hasSize(2);
    }

    @Test
    void silentWithdrawAndUpdateEventsArePlannedAsTheirOwnRecords() {
        String user = "u-" + UUID.randomUUID();
        String token = "phone-" + UUID.randomUUID();
        register(user, token);
        UUID original = UUID.randomUUID();
        UUID silent = UUID.randomUUID();
        UUID update = UUID.randomUUID();
        UUID withdraw = UUID.randomUUID();
        UUID withdrawKey = UUID.randomUUID();
        workEvent(original, "work_assigned", user, """
                "actor":{"id":"sam","displayName":"Sam"},"object":{"id":"w-1","title":"Fix the sink"},
                "data":{"work_id":"w-1"},"collapseKey":"work-w-1","badge":1""");
        // Types without templates: a silent push and a withdrawal need none.
        workEvent(silent, "chat_sync", user, """
                "data":{"threadId":"t-1"},"silent":true""");
        workEvent(update, "work_assigned", user, """
                "title":"Work moved","body":"Fix the sink at 5 pm","change":{"kind":"update","eventId":"%s"}""".formatted(original));
        workEvent(withdraw, "work_taken", user, """
                "change":{"kind":"withdraw","eventId":"%s"}""".formatted(original));
        workEvent(withdrawKey, "work_taken", user, """
                "change":{"kind":"withdraw","collapseKey":"work-w-1"}""");

        await().atMost(Duration.ofSeconds(30))
                .until(() -> pushesOf(withdrawKey).size() == 1
                        && inAppOf(withdrawKey).size() == 1);
        UUID target = Ids.notificationId(original, "work", user);
        assertThat(pushesOf(original)).singleElement().satisfies(p -> {
            assertThat(p.data())
                    .containsEntry("work_id", "w-1")
                    .containsEntry("type", "work_assigned")
                    .containsEntry("object_id", "w-1")
                    .containsEntry("herald.eventId", original.toString())
                    .containsEntry("herald.notificationId", target.toString())
                    .doesNotContainKeys("eventId", "notificationId");
            assertThat(p.badge()).isEqualTo(Badge.of(1));
            assertThat(p.inApp()).isTrue();
        });
        assertThat(inAppOf(silent)).isEmpty();
        assertThat(pushesOf(silent)).singleElement().satisfies(p -> {
            assertThat(p.silent()).isTrue();
            assertThat(p.title()).isEmpty();
            assertThat(p.data()).containsEntry("threadId", "t-1").containsEntry("type", "chat_sync");
        });
        assertThat(inAppOf(update)).singleElement().satisfies(n -> {
            assertThat(n.change()).isEqualTo(Change.Kind.UPDATE);
            assertThat(n.notificationId()).isEqualTo(target);
            assertThat(n.body()).isEqualTo("Fix the sink at 5 pm");
        });
        assertThat(pushesOf(update)).singleElement().satisfies(p -> {
            assertThat(p.change()).isEqualTo(Change.Kind.UPDATE);
            assertThat(p.silent()).isFalse();
            assertThat(p.notificationId()).isEqualTo(target);
            assertThat(p.deliveryId()).isEqualTo(Ids.deliveryId(update, "work", user, token));
            assertThat(p.title()).isEqualTo("Work moved");
        });
        assertThat(inAppOf(withdraw)).singleElement().satisfies(n -> {
            assertThat(n.change()).isEqualTo(Change.Kind.WITHDRAW);
            assertThat(n.notificationId()).isEqualTo(target);
        });
        assertThat(pushesOf(withdraw)).singleElement().satisfies(p -> {
            assertThat(p.change()).isEqualTo(Change.Kind.WITHDRAW);
            assertThat(p.silent()).isTrue();
            assertThat(p.notificationId()).isEqualTo(target);
            assertThat(p.deliveryId()).isEqualTo(Ids.deliveryId(withdraw, "work", user, token));
            assertThat(p.data())
                    .containsEntry("herald.change", "withdraw")
                    .containsEntry("herald.notificationId", target.toString());
        });
        assertThat(inAppOf(withdrawKey)).singleElement().satisfies(n -> {
            assertThat(n.change()).isEqualTo(Change.Kind.WITHDRAW);
            assertThat(n.collapseKey()).isEqualTo("work-w-1");
            assertThat(n.notificationId()).isEqualTo(Ids.notificationId(withdrawKey, "work", user));
        });
        assertThat(pushesOf(withdrawKey)).singleElement().satisfies(p -> {
            assertThat(p.collapseKey()).isEqualTo("work-w-1");
            assertThat(p.data()).containsEntry("herald.collapseKey", "work-w-1");
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(json(call("GET", "/internal/v1/events/" + silent + "/deliveries", null))
                            .path("deliveries")
                            .findValuesAsString("reason"))
                    .containsExactly("silent: a data-only push, no inbox item");
            // A change stores no inbox item of its own: its recipient's history row is token-service's.
            for (UUID change : List.of(withdraw, update)) {
                assertThat(jdbc.sql("select change from token.notification_history where event_id = :id")
                                .param("id", change)
                                .query(String.class)
                                .list())
                        .containsExactly(change.equals(withdraw) ? "withdraw" : "update");
            }
        });
        assertThat(jdbc.sql("select count(*) from token.notification_history where event_id = :id")
                        .param("id", original)
                        .query(Long.class)
                        .single())
                .isZero();
    }

    /** Publishes an event of the app {@code work} to {@code user}, with {@code rest} (more JSON members). */
    private static void workEvent(UUID eventId, String type, String user, String rest) {
        publish(eventId.toString(), """
                {"eventId":"%s","schemaVersion":1,"type":"%s","source":"work","occurredAt":"2026-12-07T10:00:00Z",
                 "recipients":["%s"],%s}""".formatted(eventId, type, user, rest).getBytes(StandardCharsets.UTF_8));
    }

    private static String like(UUID eventId, String actor, String owner, String alsoTold) {
        return """
                {"eventId":"%s","schemaVersion":1,"type":"product_like","source":"shop","occurredAt":"2026-11-24T10:00:00Z",
                 "actor":{"id":"%s","displayName":"Lena"},"recipients":["%s","%s"],
                 "object":{"id":"p-9","kind":"product","title":"Green chair"}}
                """.formatted(eventId, actor, owner, alsoTold);
    }

    private void register(String user, String token) {
        var response = call(
                "POST",
                "/internal/v1/users/" + user + "/devices",
                "{\"provider\":\"fcm\",\"token\":\"" + token + "\",\"platform\":\"android\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private static void publish(String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(Topics.EVENTS, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Everything on the output topics so far (one consumer for the class, polled on demand). */
    private static synchronized List<ConsumerRecord<String, byte[]>> records() {
        if (consumer.subscription().isEmpty()) {
            consumer.subscribe(List.of(Topics.PUSH, Topics.INAPP, Topics.EVENTS_DLT, Topics.DELIVERY_STATUS_DLT));
        }
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        return List.copyOf(seen);
    }

    private static List<PushDelivery> pushesOf(UUID eventId) {
        return records().stream()
                .filter(r -> r.topic().equals(Topics.PUSH))
                .map(r -> HeraldJson.mapper().readValue(r.value(), PushDelivery.class))
                .filter(p -> p.eventId().equals(eventId))
                .toList();
    }

    private static List<InAppNotification> inAppOf(UUID eventId) {
        return records().stream()
                .filter(r -> r.topic().equals(Topics.INAPP))
                .map(r -> HeraldJson.mapper().readValue(r.value(), InAppNotification.class))
                .filter(n -> n.eventId().equals(eventId))
                .toList();
    }

    private static List<ConsumerRecord<String, byte[]>> dead() {
        return records().stream()
                .filter(r -> r.topic().equals(Topics.EVENTS_DLT))
                .toList();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        assertThat(record).as("dead letter").isNotNull();
        var header = record.headers().lastHeader(name);
        assertThat(header).as(name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    private HttpResponse<String> call(String method, String path, String body) {
        return new TokenServiceClient(port).call(method, path, body);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return TokenServiceClient.json(response);
    }
}
