package io.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.eatthepath.pushy.apns.server.RejectionReason;
import com.sun.net.httpserver.HttpServer;
import io.herald.dispatch.delivery.DeliveryLogPartitions;
import io.herald.dispatch.delivery.FlakyDeliveryLog;
import io.herald.events.DeliveryStatus;
import io.herald.events.HeraldHeaders;
import io.herald.events.HeraldJson;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.events.TokenFeedback;
import io.herald.events.Topics;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.apns.ApnsEmulator;
import io.herald.testkit.expo.ExpoEmulator;
import io.herald.testkit.fcm.FcmAnswer;
import io.herald.testkit.fcm.FcmEmulator;
import io.herald.testkit.fcm.FcmError;
import io.herald.testkit.script.Script;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** dispatch-service through a real Kafka broker, a real PostgreSQL and the FCM emulator, via firebase-admin. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "spring.config.name=dispatch-service")
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DispatchIT {

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("dispatch");

    static final FcmEmulator fcm = FcmEmulator.start();
    static final ExpoEmulator expo = ExpoEmulator.start();
    static final ApnsEmulator apns = ApnsEmulator.start();
    static final String INTERNAL_SECRET = "internal-secret-of-at-least-32-bytes";
    /** ws-fanout's internal unread API, as a real HTTP server: every user has 4 unread, none stored yet. */
    static final HttpServer wsFanout = unreadStub();

    static final List<String> unreadAsked = new CopyOnWriteArrayList<>();
    static KafkaProducer<String, byte[]> producer;

    @Autowired
    MeterRegistry meters;

    static KafkaConsumer<String, byte[]> consumer;
    static final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("herald.dispatch.fcm.base-url", fcm::baseUrl);
        registry.add("herald.dispatch.fcm.access-token", () -> "herald-emulator");
        registry.add("herald.dispatch.fcm.project-id", () -> "herald-test");
        registry.add("herald.dispatch.expo.base-url", expo::baseUrl);
        apns.dispatchProperties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("herald.dispatch.expo.access-token", () -> "expo-access-token");
        registry.add("herald.dispatch.expo.receipt-delay", () -> "0s");
        registry.add("herald.dispatch.expo.receipt-poll-interval", () -> "200ms");
        registry.add(
                "herald.dispatch.unread-badge.ws-fanout-url",
                () -> "http://127.0.0.1:" + wsFanout.getAddress().getPort());
        registry.add("herald.dispatch.unread-badge.timeout", () -> "5s");
        registry.add("herald.internal.secret", () -> INTERNAL_SECRET);
        TestProviders.quickRetries(registry);
        // outcomes are read from herald.delivery-status.v1
        TestProviders.publishStatuses(registry);
    }

    private static HttpServer unreadStub() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/internal/inbox/", exchange -> {
                boolean authorised =
                        INTERNAL_SECRET.equals(exchange.getRequestHeaders().getFirst("X-Herald-Internal-Token"));
                unreadAsked.add(exchange.getRequestURI().getRawPath());
                byte[] body = (authorised ? "{\"unread\":4,\"stored\":false}" : "{\"status\":401}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(authorised ? 200 : 401, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void clients() {
        fcm.acceptAccessToken("herald-emulator");
        producer = infra.producer();
        consumer = infra.consumer();
    }

    @AfterAll
    static void close() {
        producer.close();
        consumer.close();
        fcm.close();
        expo.close();
        apns.close();
        wsFanout.stop(0);
    }

    @Test
    void aDeliveryReachesFcmWithAndroidAndApnsSettingsAndIsReportedSent() {
        PushDelivery delivery = delivery("user-a", "token-a-" + UUID.randomUUID(), Provider.FCM);
        publish(delivery);

        JsonNode message = awaitReceived(delivery.token());
        assertThat(message.path("notification").path("title").asString()).isEqualTo("Your product was liked");
        assertThat(message.path("notification").path("body").asString())
                .isEqualTo("Bob liked your product \"Red bike\"");
        assertThat(message.path("data").path("productId").asString()).isEqualTo("p-1");
        assertThat(message.path("data").path("count").isString()).isTrue();
        assertThat(message.path("android").path("priority").asString()).isEqualToIgnoringCase("high");
        assertThat(message.path("android").path("ttl").asString()).isEqualTo("3600s");
        assertThat(message.path("android").path("collapse_key").asString()).isEqualTo("likes");
        assertThat(message.path("android")
                        .path("notification")
                        .path("channel_id")
                        .asString())
                .isEqualTo("social");
        assertThat(message.path("android").path("notification").path("sound").asString())
                .isEqualTo("default");
        assertThat(message.path("apns").path("headers").path("apns-priority").asString())
                .isEqualTo("10");
        assertThat(message.path("apns")
                        .path("payload")
                        .path("aps")
                        .path("sound")
                        .asString())
                .isEqualTo("default");

        await().atMost(Duration.ofSeconds(30)).until(() -> statusesOf(delivery).contains(DeliveryStatus.Outcome.SENT));
    }

    @Test
    void aRedeliveredRecordIsNotSentTwice() {
        String token = "token-twice-" + UUID.randomUUID();
        PushDelivery delivery = delivery("user-b", token, Provider.FCM);
        publish(delivery);
        awaitReceived(token);
        publish(delivery);
        // A later delivery for the same user (same partition) proves the repeat has been consumed.
        PushDelivery marker = delivery("user-b", "token-marker-" + UUID.randomUUID(), Provider.FCM);
        publish(marker);
        awaitReceived(marker.token());

        assertThat(fcm.received())
                .filteredOn(r -> r.message().path("token").asString().equals(token))
                .hasSize(1);
    }

    @Test
    void aDeadTokenBecomesTokenFeedbackAndIsNeverRetried() {
        String token = "token-dead-" + UUID.randomUUID();
        fcm.unregister(token);
        PushDelivery delivery = delivery("user-c", token, Provider.FCM);
        publish(delivery);

        TokenFeedback feedback = await().atMost(Duration.ofSeconds(30))
                .until(() -> feedbackFor(token), Optional::isPresent)
                .orElseThrow();
        assertThat(feedback.reason()).isEqualTo("UNREGISTERED");
        assertThat(feedback.deliveryId()).isEqualTo(delivery.deliveryId());
        PushDelivery marker = delivery("user-c", "token-after-" + UUID.randomUUID(), Provider.FCM);
        publish(marker);
        awaitReceived(marker.token());
        assertThat(statusesOf(delivery)).containsExactly(DeliveryStatus.Outcome.REJECTED);
        assertThat(deadLetters()).noneMatch(r -> r.key().equals("user-c"));
    }

    @Autowired
    FlakyDeliveryLog deliveryLog;

    @TestConfiguration
    static class FlakyDatabase {
        @Bean
        @Primary
        FlakyDeliveryLog flakyDeliveryLog(
                JdbcClient jdbc, NamedParameterJdbcTemplate named, Clock clock, DeliveryLogPartitions partitions) {
            return new FlakyDeliveryLog(jdbc, named, clock, partitions);
        }
    }

    @Test
    void aDeliverySentWhenTheDatabaseCouldNotRecordItIsNotSentAgainWhenItsBatchIsRetried() {
        PushDelivery delivery = delivery("user-db", "token-db-" + UUID.randomUUID(), Provider.FCM);
        deliveryLog.failNextWrites(2);
        publish(delivery);

        // Sent, then the outcome could not be stored twice: the batch was read again until it could be.
        await().atMost(Duration.ofSeconds(30)).until(() -> statusesOf(delivery).contains(DeliveryStatus.Outcome.SENT));
        assertThat(fcm.received())
                .filteredOn(r -> r.message().path("token").asString().equals(delivery.token()))
                .hasSize(1);
        assertThat(statusesOf(delivery)).containsExactly(DeliveryStatus.Outcome.SENT);
    }

    @Test
    void aTransientFailureIsRetriedUntilItIsSent() {
        PushDelivery delivery = delivery("user-d", "token-retry-" + UUID.randomUUID(), Provider.FCM);
        fcm.script().forToken(delivery.token(), 2, FcmAnswer.fail(FcmError.QUOTA_EXCEEDED));
        publish(delivery);

        awaitReceived(delivery.token());
        await().atMost(Duration.ofSeconds(30)).until(() -> statusesOf(delivery).contains(DeliveryStatus.Outcome.SENT));
        List<DeliveryStatus> statuses = records().stream()
                .filter(r -> r.topic().equals(Topics.DELIVERY_STATUS))
                .map(r -> HeraldJson.mapper().readValue(r.value(), DeliveryStatus.class))
                .filter(st -> delivery.deliveryId().equals(st.deliveryId()))
                .toList();
        assertThat(statuses)
                .extracting(DeliveryStatus::outcome)
                .containsExactly(
                        DeliveryStatus.Outcome.FAILED, DeliveryStatus.Outcome.FAILED, DeliveryStatus.Outcome.SENT);
        // FCM asked to wait 1 s (Retry-After) each time: longer than the 100 ms backoff configured here.
        assertThat(Duration.between(
                        statuses.getFirst().occurredAt(), statuses.getLast().occurredAt()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(1800));
    }

    @Test
    void retryTopicsHaveTheMainTopicsPartitions() throws Exception {
        try (var admin = Admin.create(Map.of("bootstrap.servers", infra.bootstrapServers()))) {
            var names = List.of(Topics.PUSH, Topics.PUSH + "-retry-0", Topics.PUSH + "-retry-1", Topics.PUSH_DLT);
            var topics = admin.describeTopics(names).allTopicNames().get();
            assertThat(topics.values())
                    .allSatisfy(t -> assertThat(t.partitions()).hasSize(3));
        }
    }

    @Test
    void unreadableAndUnsupportedDeliveriesAreDeadLetteredAndTheConsumerCarriesOn() {
        producer.send(new ProducerRecord<>(Topics.PUSH, "user-e", "{broken".getBytes(StandardCharsets.UTF_8)));
        PushDelivery webPush = delivery("user-e", "{\"endpoint\":\"https://push.example/x\"}", Provider.WEBPUSH);
        publish(webPush);
        PushDelivery good = delivery("user-e", "token-good-" + UUID.randomUUID(), Provider.FCM);
        publish(good);

        awaitReceived(good.token());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> deadLetters().stream()
                                .filter(r -> r.key().equals("user-e"))
                                .count()
                        == 2);
        List<String> codes = deadLetters().stream()
                .filter(r -> r.key().equals("user-e"))
                .map(r -> header(r, HeraldHeaders.DLT_REASON_CODE))
                .toList();
        assertThat(codes).containsExactlyInAnyOrder("invalid-json", "provider-not-implemented");
        deadLetters().forEach(r -> {
            assertThat(header(r, HeraldHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(Topics.PUSH);
            assertThat(header(r, HeraldHeaders.DLT_SERVICE)).isEqualTo("dispatch-service");
        });
        await().atMost(Duration.ofSeconds(30))
                .until(() -> statusesOf(webPush).contains(DeliveryStatus.Outcome.DEAD_LETTERED));
    }

    @Test
    void aDeliveryDeadLetteredInAnOutageIsSentWhenReplayed() throws Exception {
        PushDelivery delivery = delivery("user-f", "token-outage-" + UUID.randomUUID(), Provider.FCM);
        fcm.script().forToken(delivery.token(), Script.FOREVER, FcmAnswer.fail(FcmError.INTERNAL));
        publish(delivery);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> deadLetters().stream().anyMatch(r -> r.key().equals("user-f")));
        fcm.script().clear();
        ConsumerRecord<String, byte[]> deadLetter = deadLetters().stream()
                .filter(r -> r.key().equals("user-f"))
                .findFirst()
                .orElseThrow();
        assertThat(header(deadLetter, HeraldHeaders.DLT_REASON_CODE)).isEqualTo("retries-exhausted");

        // Replayed as herald-ops dlt replay does (its own IT checks that it does): the same key and value onto the
        // original topic, without the dead letter's and the retries' headers.
        var replayed = new ProducerRecord<>(Topics.PUSH, deadLetter.key(), deadLetter.value());
        String from = Topics.PUSH_DLT + ":" + deadLetter.partition() + ":" + deadLetter.offset();
        replayed.headers().add("herald-replayed-from", from.getBytes(StandardCharsets.UTF_8));
        producer.send(replayed).get();

        awaitReceived(delivery.token());
        await().atMost(Duration.ofSeconds(30)).until(() -> statusesOf(delivery).contains(DeliveryStatus.Outcome.SENT));
    }

    @Test
    void expoDeliveriesReachExpoAndDeadExpoTokensBecomeFeedback() {
        expo.requireAccessToken("expo-access-token");
        PushDelivery good = delivery("user-g", "ExponentPushToken[good-" + UUID.randomUUID() + "]", Provider.EXPO);
        String dead = "ExponentPushToken[dead-" + UUID.randomUUID() + "]";
        expo.unregister(dead);
        PushDelivery gone = delivery("user-g", dead, Provider.EXPO);
        publish(good);
        publish(gone);

        var received = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> expo.received().stream()
                                .filter(r -> r.message().path("to").asString().equals(good.token()))
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
        assertThat(received.accessToken()).isEqualTo("expo-access-token");
        assertThat(received.message().path("title").asString()).isEqualTo("Your product was liked");
        assertThat(received.message().path("data").path("productId").asString()).isEqualTo("p-1");
        assertThat(received.message().path("priority").asString()).isEqualTo("high");
        assertThat(received.message().path("channelId").asString()).isEqualTo("social");
        assertThat(received.message().path("sound").asString()).isEqualTo("default");
        await().atMost(Duration.ofSeconds(30)).until(() -> statusesOf(good).contains(DeliveryStatus.Outcome.SENT));
        TokenFeedback feedback = await().atMost(Duration.ofSeconds(30))
                .until(() -> feedbackFor(dead), Optional::isPresent)
                .orElseThrow();
        assertThat(feedback.reason()).isEqualTo("DeviceNotRegistered");
        assertThat(feedback.provider()).isEqualTo(Provider.EXPO);
    }

    @Test
    void aDeadTokenReportedInAnExpoReceiptBecomesFeedback() {
        String later = "ExponentPushToken[later-" + UUID.randomUUID() + "]";
        expo.unregisterLater(later);
        PushDelivery delivery = delivery("user-i", later, Provider.EXPO);
        publish(delivery);

        await().atMost(Duration.ofSeconds(30)).until(() -> statusesOf(delivery).contains(DeliveryStatus.Outcome.SENT));
        TokenFeedback feedback = await().atMost(Duration.ofSeconds(30))
                .until(() -> feedbackFor(later), Optional::isPresent)
                .orElseThrow();
        assertThat(feedback.reason()).isEqualTo("DeviceNotRegistered");
        assertThat(feedback.deliveryId()).isEqualTo(delivery.deliveryId());
    }

    @Test
    void apnsDeliveriesReachApnsWithPushyAndBadTokensBecomeFeedback() {
        String token = HexFormat.of()
                .formatHex(ByteBuffer.allocate(32).putLong(System.nanoTime()).array());
        String bad = "b".repeat(64);
        apns.reject(bad, RejectionReason.BAD_DEVICE_TOKEN);
        PushDelivery good = delivery("user-j", token, Provider.APNS);
        String gone = "c".repeat(64);
        apns.unregister(gone);
        PushDelivery rejected = delivery("user-j", bad, Provider.APNS);
        publish(good);
        publish(rejected);
        publish(delivery("user-j", gone, Provider.APNS));

        ApnsEmulator.Received received = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> apns.received().stream()
                                .filter(r -> r.token().equals(token))
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
        assertThat(received.topic()).isEqualTo("dev.herald.app");
        assertThat(received.priority()).isEqualTo("10");
        JsonNode payload = HeraldJson.mapper().readTree(received.payload());
        assertThat(payload.path("aps").path("alert").path("title").asString()).isEqualTo("Your product was liked");
        assertThat(payload.path("aps").path("sound").asString()).isEqualTo("default");
        assertThat(payload.path("productId").asString()).isEqualTo("p-1");
        await().atMost(Duration.ofSeconds(30)).until(() -> statusesOf(good).contains(DeliveryStatus.Outcome.SENT));
        TokenFeedback feedback = await().atMost(Duration.ofSeconds(30))
                .until(() -> feedbackFor(bad), Optional::isPresent)
                .orElseThrow();
        assertThat(feedback.reason()).isEqualTo("BadDeviceToken");
        assertThat(await().atMost(Duration.ofSeconds(30))
                        .until(() -> feedbackFor(gone), Optional::isPresent)
                        .orElseThrow()
                        .reason())
                .isEqualTo("Unregistered");
    }

    @Test
    void expoThrottlingIsRetried() {
        expo.throttleNext(1);
        PushDelivery delivery =
                delivery("user-h", "ExponentPushToken[throttled-" + UUID.randomUUID() + "]", Provider.EXPO);
        publish(delivery);
        await().atMost(Duration.ofSeconds(30)).until(() -> statusesOf(delivery).contains(DeliveryStatus.Outcome.SENT));
        assertThat(statusesOf(delivery)).first().isEqualTo(DeliveryStatus.Outcome.FAILED);
    }

    @Test
    void aRichPushReachesEachProviderInItsOwnFormatWithTheUnreadBadgeResolved() {
        PushDelivery toFcm =
                unreadBadge(TestDeliveries.rich("user-rich", "token-rich-" + UUID.randomUUID(), Provider.FCM));
        PushDelivery toExpo = unreadBadge(
                TestDeliveries.rich("user-rich", "ExponentPushToken[rich-" + UUID.randomUUID() + "]", Provider.EXPO));
        PushDelivery toApns = unreadBadge(TestDeliveries.rich("user-rich", apnsToken(), Provider.APNS));
        publish(toFcm);
        publish(toExpo);
        publish(toApns);

        // 4 unread in the inbox + this one, which goes to the inbox too and is not stored yet
        JsonNode message = awaitReceived(toFcm.token());
        assertThat(message.path("notification").path("image").asString())
                .isEqualTo("https://cdn.example.com/jobs/42.jpg");
        JsonNode android = message.path("android").path("notification");
        assertThat(android.path("image").asString()).isEqualTo("https://cdn.example.com/jobs/42.jpg");
        assertThat(android.path("click_action").asString()).isEqualTo("WORK_ASSIGNMENT");
        assertThat(android.path("sound").asString()).isEqualTo("notificationtone.wav");
        assertThat(android.path("notification_count").asInt()).isEqualTo(5);
        JsonNode aps = message.path("apns").path("payload").path("aps");
        assertThat(aps.path("badge").asInt()).isEqualTo(5);
        assertThat(aps.path("category").asString()).isEqualTo("WORK_ASSIGNMENT");
        assertThat(aps.path("mutable-content").asInt()).isEqualTo(1);
        assertThat(message.path("apns").path("fcm_options").path("image").asString())
                .isEqualTo("https://cdn.example.com/jobs/42.jpg");
        assertThat(message.path("data").path("link").asString()).isEqualTo("app://jobs/42");
        assertThat(message.path("data").path("herald.actions").asString()).contains("\"id\":\"accept\"");
        assertThat(message.path("data").path("productId").asString()).isEqualTo("p-1");

        JsonNode expoMessage = awaitExpo(toExpo.token());
        assertThat(expoMessage.path("badge").asInt()).isEqualTo(5);
        assertThat(expoMessage.path("sound").asString()).isEqualTo("notificationtone.wav");
        assertThat(expoMessage.path("categoryId").asString()).isEqualTo("WORK_ASSIGNMENT");
        assertThat(expoMessage.path("richContent").path("image").asString())
                .isEqualTo("https://cdn.example.com/jobs/42.jpg");
        assertThat(expoMessage.path("data").path("link").asString()).isEqualTo("app://jobs/42");

        ApnsEmulator.Received received = awaitApns(toApns.token());
        assertThat(received.pushType()).isEqualTo("alert");
        assertThat(received.priority()).isEqualTo("10");
        JsonNode payload = HeraldJson.mapper().readTree(received.payload());
        assertThat(payload.path("aps").path("badge").asInt()).isEqualTo(5);
        assertThat(payload.path("aps").path("sound").asString()).isEqualTo("notificationtone.wav");
        assertThat(payload.path("aps").path("category").asString()).isEqualTo("WORK_ASSIGNMENT");
        assertThat(payload.path("aps").path("mutable-content").asInt()).isEqualTo(1);
        assertThat(payload.path("herald.imageUrl").asString()).isEqualTo("https://cdn.example.com/jobs/42.jpg");
        assertThat(payload.path("link").asString()).isEqualTo("app://jobs/42");
        // asked of ws-fanout with the service credential (the stub answers 401 without it, and there'd be no badge)
        assertThat(unreadAsked).contains("/internal/inbox/user-rich/unread");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> statusesOf(toApns).contains(DeliveryStatus.Outcome.SENT)
                        && statusesOf(toExpo).contains(DeliveryStatus.Outcome.SENT));
    }

    @Test
    void aSilentPushIsDataOnlyOnEachProvider() {
        PushDelivery toFcm = TestDeliveries.silent("user-silent", "token-silent-" + UUID.randomUUID(), Provider.FCM);
        PushDelivery toExpo = TestDeliveries.silent(
                "user-silent", "ExponentPushToken[silent-" + UUID.randomUUID() + "]", Provider.EXPO);
        PushDelivery toApns = TestDeliveries.silent("user-silent", apnsToken(), Provider.APNS);
        publish(toFcm);
        publish(toExpo);
        publish(toApns);

        JsonNode message = awaitReceived(toFcm.token());
        assertThat(message.has("notification")).isFalse();
        assertThat(message.path("android").has("notification")).isFalse();
        assertThat(message.path("data").path("sync").asString()).isEqualTo("messages");
        assertThat(message.path("apns").path("headers").path("apns-push-type").asString())
                .isEqualTo("background");
        assertThat(message.path("apns").path("headers").path("apns-priority").asString())
                .isEqualTo("5");
        assertThat(message.path("apns")
                        .path("payload")
                        .path("aps")
                        .path("content-available")
                        .asInt())
                .isEqualTo(1);

        JsonNode expoMessage = awaitExpo(toExpo.token());
        assertThat(expoMessage.path("_contentAvailable").asBoolean()).isTrue();
        assertThat(expoMessage.has("title")).isFalse();
        assertThat(expoMessage.has("body")).isFalse();
        assertThat(expoMessage.path("data").path("threadId").asString()).isEqualTo("t-9");

        // The emulator refuses a background push at priority 10 or without content-available, as APNs does.
        ApnsEmulator.Received received = awaitApns(toApns.token());
        assertThat(received.pushType()).isEqualTo("background");
        assertThat(received.priority()).isEqualTo("5");
        JsonNode payload = HeraldJson.mapper().readTree(received.payload());
        assertThat(HeraldJson.mapper().writeValueAsString(payload.path("aps"))).isEqualTo("{\"content-available\":1}");
        assertThat(payload.path("sync").asString()).isEqualTo("messages");
        await().atMost(Duration.ofSeconds(30)).until(() -> statusesOf(toApns).contains(DeliveryStatus.Outcome.SENT));
    }

    @Test
    void aWithdrawalIsASilentPushUnderTheTargetsReplaceKeyOnEachProvider() {
        PushDelivery fcmTarget = TestDeliveries.withCollapseKey(
                TestDeliveries.like("user-withdraw", "token-withdraw-" + UUID.randomUUID(), Provider.FCM), null);
        PushDelivery expoTarget = TestDeliveries.like(
                "user-withdraw", "ExponentPushToken[withdraw-" + UUID.randomUUID() + "]", Provider.EXPO);
        PushDelivery apnsTarget =
                TestDeliveries.withCollapseKey(TestDeliveries.like("user-withdraw", apnsToken(), Provider.APNS), null);
        PushDelivery fromFcm = TestDeliveries.withdraw(fcmTarget);
        PushDelivery fromExpo = TestDeliveries.withdraw(expoTarget);
        PushDelivery fromApns = TestDeliveries.withdraw(apnsTarget);
        publish(fromFcm);
        publish(fromExpo);
        publish(fromApns);

        JsonNode message = awaitReceived(fromFcm.token());
        assertThat(message.has("notification")).isFalse();
        assertThat(message.path("android").has("notification")).isFalse();
        assertThat(message.path("apns").path("headers").path("apns-collapse-id").asString())
                .isEqualTo(fcmTarget.notificationId().toString());
        assertThat(message.path("apns").path("headers").path("apns-push-type").asString())
                .isEqualTo("background");
        assertThat(message.path("data").path("herald.change").asString()).isEqualTo("withdraw");
        assertThat(message.path("data").path("herald.notificationId").asString())
                .isEqualTo(fcmTarget.notificationId().toString());

        JsonNode expoMessage = awaitExpo(fromExpo.token());
        assertThat(expoMessage.path("_contentAvailable").asBoolean()).isTrue();
        assertThat(expoMessage.has("title")).isFalse();
        assertThat(expoMessage.path("data").path("herald.notificationId").asString())
                .isEqualTo(expoTarget.notificationId().toString());

        ApnsEmulator.Received received = awaitApns(fromApns.token());
        assertThat(received.collapseId()).isEqualTo(apnsTarget.notificationId().toString());
        assertThat(received.pushType()).isEqualTo("background");
        assertThat(received.priority()).isEqualTo("5");
        JsonNode payload = HeraldJson.mapper().readTree(received.payload());
        assertThat(payload.path("aps").has("alert")).isFalse();
        assertThat(payload.path("herald.change").asString()).isEqualTo("withdraw");
        await().atMost(Duration.ofSeconds(30)).until(() -> statusesOf(fromApns).contains(DeliveryStatus.Outcome.SENT));
    }

    private static PushDelivery unreadBadge(PushDelivery delivery) {
        return TestDeliveries.with(delivery, "badge", "unread");
    }

    private static String apnsToken() {
        byte[] bytes = new byte[32];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static JsonNode awaitExpo(String token) {
        return await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> expo.received().stream()
                                .filter(r -> r.message().path("to").asString().equals(token))
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow()
                .message();
    }

    private static ApnsEmulator.Received awaitApns(String token) {
        return await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> apns.received().stream()
                                .filter(r -> r.token().equals(token))
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
    }

    private static PushDelivery delivery(String user, String token, Provider provider) {
        return TestDeliveries.like(user, token, provider);
    }

    private static void publish(PushDelivery delivery) {
        try {
            producer.send(new ProducerRecord<>(
                            Topics.PUSH, delivery.userId(), HeraldJson.mapper().writeValueAsBytes(delivery)))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode awaitReceived(String token) {
        return await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> fcm.received().stream()
                                .filter(r ->
                                        r.message().path("token").asString().equals(token))
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow()
                .message();
    }

    private static synchronized List<ConsumerRecord<String, byte[]>> records() {
        if (consumer.subscription().isEmpty()) {
            consumer.subscribe(List.of(Topics.DELIVERY_STATUS, Topics.TOKEN_FEEDBACK, Topics.PUSH_DLT));
        }
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        return List.copyOf(seen);
    }

    private static List<DeliveryStatus.Outcome> statusesOf(PushDelivery delivery) {
        return records().stream()
                .filter(r -> r.topic().equals(Topics.DELIVERY_STATUS))
                .map(r -> HeraldJson.mapper().readValue(r.value(), DeliveryStatus.class))
                .filter(s -> delivery.deliveryId().equals(s.deliveryId()))
                .map(DeliveryStatus::outcome)
                .toList();
    }

    private static Optional<TokenFeedback> feedbackFor(String token) {
        return records().stream()
                .filter(r -> r.topic().equals(Topics.TOKEN_FEEDBACK) && token.equals(r.key()))
                .map(r -> HeraldJson.mapper().readValue(r.value(), TokenFeedback.class))
                .findFirst();
    }

    private static List<ConsumerRecord<String, byte[]>> deadLetters() {
        return records().stream().filter(r -> r.topic().equals(Topics.PUSH_DLT)).toList();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        assertThat(header).as(name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
