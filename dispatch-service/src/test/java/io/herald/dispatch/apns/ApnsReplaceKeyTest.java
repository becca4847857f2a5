package io.herald.dispatch.apns;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.dispatch.TestDeliveries;
import io.herald.dispatch.delivery.SendOutcome;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.testkit.apns.ApnsEmulator;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A notification APNs gets replaces an earlier one with the same {@code apns-collapse-id}: the notification id,
 * or the event's own collapse key when it has one — so a delivery sent twice (after a crash) shows once.
 */
class ApnsReplaceKeyTest {

    static ApnsEmulator apns;
    static ApnsProvider provider;

    @BeforeAll
    static void start() {
        apns = ApnsEmulator.start();
        var settings = apns.dispatchProperties();
        provider = new ApnsProvider(
                new ApnsProperties(
                        settings.get("herald.dispatch.apns.signing-key-path"),
                        settings.get("herald.dispatch.apns.team-id"),
                        settings.get("herald.dispatch.apns.key-id"),
                        settings.get("herald.dispatch.apns.topic"),
                        settings.get("herald.dispatch.apns.host"),
                        Integer.parseInt(settings.get("herald.dispatch.apns.port")),
                        settings.get("herald.dispatch.apns.trusted-server-certificate-path"),
                        1),
                Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        provider.destroy();
        apns.close();
    }

    private static String collapseIdOf(PushDelivery delivery) throws Exception {
        assertThat(provider.send(delivery).get(30, TimeUnit.SECONDS)).isInstanceOf(SendOutcome.Accepted.class);
        return apns.received().stream()
                .filter(r -> r.token().equals(delivery.token()))
                .findFirst()
                .orElseThrow()
                .collapseId();
    }

    private static String token() {
        byte[] bytes = new byte[32];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void withoutACollapseKeyTheNotificationIdReplaces() throws Exception {
        PushDelivery delivery =
                TestDeliveries.withCollapseKey(TestDeliveries.like("user-1", token(), Provider.APNS), null);

        assertThat(collapseIdOf(delivery)).isEqualTo(delivery.notificationId().toString());
    }

    @Test
    void theEventsOwnCollapseKeyWins() throws Exception {
        assertThat(collapseIdOf(TestDeliveries.like("user-1", token(), Provider.APNS)))
                .isEqualTo("likes");
    }
}
