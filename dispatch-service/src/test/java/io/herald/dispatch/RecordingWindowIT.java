package io.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.DeliveryStatus;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.fcm.FcmAnswer;
import io.herald.testkit.fcm.FcmEmulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Sends are recorded as they complete, not when the poll's slowest send has answered: with one send of a poll
 * hanging, the others are in the delivery log (so a redelivery after a crash would not send them again) and
 * reported sent within moments of FCM taking them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "spring.config.name=dispatch-service")
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RecordingWindowIT {

    private static final Logger log = LoggerFactory.getLogger(RecordingWindowIT.class);
    private static final Duration HANG = Duration.ofSeconds(20);

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("window");

    static final FcmEmulator fcm = FcmEmulator.start();
    static Outcomes outcomes;

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestProviders.fcm(registry, fcm);
        registry.add("herald.dispatch.retry.initial-interval", () -> "100ms");
        registry.add("herald.dispatch.retry.jitter", () -> "20ms");
        // The slow send hangs until FCM's emulator answers 503, not until the client gives up on it.
        registry.add("herald.dispatch.fcm.request-timeout", () -> "60s");
        registry.add("herald.dispatch.send-timeout", () -> "60s");
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
    }

    @Test
    void theSendsOfAPollAreRecordedAsTheyCompleteWhileItsSlowestStillHangs() {
        String user = "user-window";
        PushDelivery slow = TestDeliveries.like(user, "token-slow-" + UUID.randomUUID(), Provider.FCM);
        fcm.script().forToken(slow.token(), 1, FcmAnswer.hang(HANG));
        List<PushDelivery> quick = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            quick.add(TestDeliveries.like(user, "token-quick-" + i + "-" + UUID.randomUUID(), Provider.FCM));
        }
        List<PushDelivery> poll = new ArrayList<>();
        poll.add(slow);
        poll.addAll(quick);
        outcomes.publishDeliveriesTogether(user, poll);
        // The poll is being sent (the slow send, first, hangs from now on).
        await().atMost(Duration.ofSeconds(30))
                .until(() -> fcm.received().stream()
                        .anyMatch(r -> r.message().path("token").asString().startsWith("token-quick-")));
        Instant sending = Instant.now();

        // Well before the slow send answers, every quick one is stored as sent and reported.
        await().atMost(HANG.dividedBy(2))
                .untilAsserted(() -> assertThat(recorded(quick)).hasSize(quick.size()));
        await().atMost(HANG.dividedBy(2))
                .untilAsserted(() -> assertThat(quick)
                        .allSatisfy(
                                d -> assertThat(outcomes.statusesOf(d)).containsExactly(DeliveryStatus.Outcome.SENT)));
        assertThat(Duration.between(sending, Instant.now())).isLessThan(HANG);
        assertThat(outcomes.statusesOf(slow))
                .as("the slow send has no outcome yet")
                .isEmpty();

        // How long each send went unrecorded: from FCM taking it to its row.
        Map<String, Instant> takenAt = fcm.received().stream()
                .collect(Collectors.toMap(r -> r.message().path("token").asString(), r -> r.receivedAt(), (a, b) -> a));
        Map<UUID, Instant> recordedAt = recorded(quick);
        Duration longest = quick.stream()
                .map(d -> Duration.between(takenAt.get(d.token()), recordedAt.get(d.deliveryId())))
                .max(Duration::compareTo)
                .orElseThrow();
        log.info(
                "longest time a quick send went unrecorded: {} ms (the poll's slowest send hangs {})",
                longest.toMillis(),
                HANG);
        assertThat(longest).isLessThan(Duration.ofSeconds(2));

        // The slow one is retried after FCM's 503 and sent; nothing is sent twice.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> outcomes.statusesOf(slow).contains(DeliveryStatus.Outcome.SENT));
        assertThat(poll)
                .allSatisfy(d -> assertThat(fcm.received())
                        .filteredOn(r -> r.message().path("token").asString().equals(d.token()))
                        .hasSize(1));
    }

    /** When each of {@code deliveries} was recorded as sent, for those that were. */
    private Map<UUID, Instant> recorded(List<PushDelivery> deliveries) {
        return jdbc
                .sql("""
                        select delivery_id, recorded_at from dispatch.deliveries
                        where delivery_id = any(:ids) and outcome = 'sent'
                        """)
                .param("ids", deliveries.stream().map(PushDelivery::deliveryId).toArray(UUID[]::new))
                .query((rs, row) -> Map.entry(
                        rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant()))
                .list()
                .stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a));
    }
}
