package io.herald.dispatch.fcm;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.dispatch.TestDeliveries;
import io.herald.dispatch.delivery.SendOutcome;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.testkit.fcm.FcmEmulator;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import tools.jackson.databind.JsonNode;

/**
 * A push FCM gets replaces an earlier one with the same notification on the phone: the
 * Android notification's {@code tag} and the APNs {@code apns-collapse-id} are the notification id, or the
 * event's own collapse key when it has one — so a delivery sent twice (after a crash) shows once.
 */
class FcmReplaceKeyTest {

    static FcmEmulator fcm;

    @BeforeAll
    static void start() {
        fcm = FcmEmulator.start();
    }

    @AfterAll
    static void stop() {
        fcm.close();
    }

    private static JsonNode sent(PushDelivery delivery) throws Exception {
        var provider = new FcmProvider(
                new FcmProperties(
                        true,
                        "herald-test",
                        null,
                        URI.create(fcm.baseUrl()),
                        "herald-emulator",
                        null,
                        1,
                        Duration.ofSeconds(20)),
                Clock.systemUTC(),
                new DefaultListableBeanFactory().getBeanProvider(FcmSender.class));
        try {
            assertThat(provider.send(delivery).get(30, TimeUnit.SECONDS)).isInstanceOf(SendOutcome.Accepted.class);
        } finally {
            provider.destroy();
        }
        return fcm.received().stream()
                .filter(r -> r.message().path("token").asString().equals(delivery.token()))
                .findFirst()
                .orElseThrow()
                .message();
    }

    @Test
    void withoutACollapseKeyTheNotificationIdReplaces() throws Exception {
        PushDelivery delivery = TestDeliveries.withCollapseKey(
                TestDeliveries.like("user-1", "token-" + UUID.randomUUID(), Provider.FCM), null);

        JsonNode message = sent(delivery);

        String notificationId = delivery.notificationId().toString();
        assertThat(message.path("android").path("notification").path("tag").asString())
                .isEqualTo(notificationId);
        assertThat(message.path("apns").path("headers").path("apns-collapse-id").asString())
                .isEqualTo(notificationId);
        // FCM keeps four collapse keys a device: one per notification would make it drop messages.
        assertThat(message.path("android").has("collapse_key")).isFalse();
    }

    @Test
    void theEventsOwnCollapseKeyWins() throws Exception {
        PushDelivery delivery = TestDeliveries.like("user-1", "token-" + UUID.randomUUID(), Provider.FCM);

        JsonNode message = sent(delivery);

        assertThat(message.path("android").path("notification").path("tag").asString())
                .isEqualTo("likes");
        assertThat(message.path("apns").path("headers").path("apns-collapse-id").asString())
                .isEqualTo("likes");
        assertThat(message.path("android").path("collapse_key").asString()).isEqualTo("likes");
    }
}
