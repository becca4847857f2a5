package io.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.DeliveryStatus;
import io.herald.events.HeraldHeaders;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.events.TextRules;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.apns.ApnsEmulator;
import io.herald.testkit.fcm.FcmAnswer;
import io.herald.testkit.fcm.FcmEmulator;
import io.herald.testkit.fcm.FcmError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A delivery that cannot be sent, or whose record PostgreSQL refuses, fails alone: the good deliveries of its
 * poll are sent and reported at once, it is dead-lettered with its reason (or, sent, left unrecorded), and its
 * partition moves on. A provider asking to wait an hour does not hold its retry topic.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "spring.config.name=dispatch-service")
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PoisonDeliveriesIT {

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("poison");

    static final FcmEmulator fcm = FcmEmulator.start();
    static final ApnsEmulator apns = ApnsEmulator.start();
    static Outcomes outcomes;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestProviders.fcm(registry, fcm);
        apns.dispatchProperties().forEach((key, value) -> registry.add(key, () -> value));
        TestProviders.quickRetries(registry);
        // outcomes are read from herald.delivery-status.v1
        TestProviders.publishStatuses(registry);
    }

    @BeforeAll
    static void clients() {
        fcm.acceptAccessToken("herald-emulator");
        outcomes = new Outcomes(infra.bootstrapServers());
        outcomes.records(); // joined before anything is published
    }

    @AfterAll
    static void close() {
        outcomes.close();
        fcm.close();
        apns.close();
    }

    private static PushDelivery fcmDelivery(String user) {
        return TestDeliveries.like(user, "token-" + UUID.randomUUID(), Provider.FCM);
    }

    private static String apnsToken() {
        byte[] bytes = new byte[32];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static boolean fcmReceived(PushDelivery delivery) {
        return fcm.received().stream()
                .anyMatch(r -> r.message().path("token").asString().equals(delivery.token()));
    }

    @Test
    void deliveriesThatCannotBeSentAreDeadLetteredAloneAndTheirPollIsSentAtOnce() {
        String user = "user-poison";
        List<PushDelivery> good = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            good.add(fcmDelivery(user));
        }
        // FCM's SDK refuses a negative TTL; PostgreSQL a NUL; Pushy a custom key named "aps".
        PushDelivery negativeTtl = TestDeliveries.with(fcmDelivery(user), "ttlSeconds", -1);
        PushDelivery nulTitle = TestDeliveries.with(fcmDelivery(user), "title", "Your product\u0000was liked");
        PushDelivery nulUser = TestDeliveries.with(fcmDelivery(user), "userId", "user\u0000poison");
        PushDelivery reservedKey = TestDeliveries.with(
                TestDeliveries.like(user, apnsToken(), Provider.APNS), "data", Map.of("aps", "mine"));
        outcomes.publishDeliveriesTogether(
                user,
                List.of(
                        good.get(0),
                        negativeTtl,
                        good.get(1),
                        nulTitle,
                        good.get(2),
                        reservedKey,
                        good.get(3),
                        nulUser,
                        good.get(4)));

        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(good)
                        .allSatisfy(
                                d -> assertThat(outcomes.statusesOf(d)).containsExactly(DeliveryStatus.Outcome.SENT)));
        Map<PushDelivery, String> expected = Map.of(
                negativeTtl, "ttlSeconds is negative",
                nulTitle, "title contains U+0000",
                nulUser, "userId contains U+0000",
                reservedKey, "Custom property key must not be aps");
        await().atMost(Duration.ofSeconds(15))
                .until(() -> expected.keySet().stream()
                        .allMatch(d -> outcomes.deadLetterOf(d).isPresent()));
        expected.forEach((delivery, reason) -> {
            ConsumerRecord<String, byte[]> dead =
                    outcomes.deadLetterOf(delivery).orElseThrow();
            assertThat(Outcomes.header(dead, HeraldHeaders.DLT_REASON_CODE))
                    .isEqualTo(
                            delivery == reservedKey
                                    ? "unsendable"
                                    : delivery == negativeTtl ? "invalid-delivery" : TextRules.CODE);
            assertThat(Outcomes.header(dead, HeraldHeaders.DLT_REASON)).contains(reason);
            assertThat(fcmReceived(delivery)).isFalse();
        });
        assertThat(apns.received()).noneMatch(r -> r.token().equals(reservedKey.token()));

        // The partition moved on.
        PushDelivery after = fcmDelivery(user);
        outcomes.publishDeliveriesTogether(user, List.of(after));
        await().atMost(Duration.ofSeconds(15))
                .until(() -> outcomes.statusesOf(after).contains(DeliveryStatus.Outcome.SENT));
        assertThat(good).allMatch(PoisonDeliveriesIT::fcmReceived);
    }

    @Autowired
    JdbcClient jdbc;

    @Test
    void aRowPostgresRefusesIsLeftUnrecordedAloneAndItsPollIsRecordedAndReported() {
        // A constraint standing for anything PostgreSQL refuses in a row (a character its encoding lacks, say).
        jdbc.sql(
                        "alter table dispatch.deliveries add constraint refuse_one_user check (user_id <> 'refused-by-postgres')")
                .update();
        try {
            String key = "poll-refused";
            PushDelivery before = fcmDelivery("user-r1");
            PushDelivery refused = fcmDelivery("refused-by-postgres");
            PushDelivery after = fcmDelivery("user-r2");
            outcomes.publishDeliveriesTogether(key, List.of(before, refused, after));

            await().atMost(Duration.ofSeconds(15))
                    .untilAsserted(() -> assertThat(List.of(before, refused, after))
                            .allSatisfy(d ->
                                    assertThat(outcomes.statusesOf(d)).containsExactly(DeliveryStatus.Outcome.SENT)));
            assertThat(outcomesRecorded(before)).containsExactly("sent");
            assertThat(outcomesRecorded(after)).containsExactly("sent");
            assertThat(outcomesRecorded(refused)).isEmpty();
            assertThat(fcmReceived(refused)).isTrue();
            assertThat(outcomes.deadLetterOf(refused)).isEmpty();

            PushDelivery next = fcmDelivery("user-r3");
            outcomes.publishDeliveriesTogether(key, List.of(next));
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> outcomes.statusesOf(next).contains(DeliveryStatus.Outcome.SENT));
        } finally {
            jdbc.sql("alter table dispatch.deliveries drop constraint refuse_one_user")
                    .update();
        }
    }

    private List<String> outcomesRecorded(PushDelivery delivery) {
        return jdbc.sql("select outcome from dispatch.deliveries where delivery_id = :id")
                .param("id", delivery.deliveryId())
                .query(String.class)
                .list();
    }

    @Test
    void aRetryAfterLongerThanTheCapIsDeadLetteredAndDoesNotHoldTheRetryTopic() {
        String user = "user-wait";
        PushDelivery anHour = fcmDelivery(user);
        PushDelivery aSecond = fcmDelivery(user);
        fcm.script().forToken(anHour.token(), 1, FcmAnswer.throttle(Duration.ofHours(1)));
        fcm.script().forToken(aSecond.token(), 1, FcmAnswer.fail(FcmError.QUOTA_EXCEEDED)); // Retry-After: 1
        // Both fail in one poll and go to the same retry topic's partition, the hour's first.
        outcomes.publishDeliveriesTogether(user, List.of(anHour, aSecond));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> outcomes.statusesOf(aSecond).contains(DeliveryStatus.Outcome.SENT));
        ConsumerRecord<String, byte[]> dead = await().atMost(Duration.ofSeconds(15))
                .until(() -> outcomes.deadLetterOf(anHour), Optional::isPresent)
                .orElseThrow();
        assertThat(Outcomes.header(dead, HeraldHeaders.DLT_REASON_CODE)).isEqualTo("retry-after-exceeded");
        assertThat(Outcomes.header(dead, HeraldHeaders.DLT_REASON))
                .contains("PT1H")
                .contains("herald.dispatch.retry.max-retry-after (PT5M)");
        assertThat(outcomes.statusesOf(anHour)).startsWith(DeliveryStatus.Outcome.FAILED);
    }
}
