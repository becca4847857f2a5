package io.herald.testkit.apns;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The APNs emulator, through Pushy's client: it refuses what APNs refuses, with Apple's reasons, and keeps the rest. */
class ApnsEmulatorTest {

    static ApnsEmulator apns;
    static ApnsClient client;

    @BeforeAll
    static void start() throws Exception {
        apns = ApnsEmulator.start();
        client = new ApnsClientBuilder()
                .setApnsServer("127.0.0.1", apns.port())
                .setSigningKey(
                        ApnsSigningKey.loadFromPkcs8File(apns.signingKey().toFile(), "TEAM123456", "KEY1234567"))
                .setTrustedServerCertificateChain(apns.trustedCertificate().toFile())
                .build();
    }

    @AfterAll
    static void stop() {
        client.close().join();
        apns.close();
    }

    private static String token() {
        byte[] bytes = new byte[32];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static PushNotificationResponse<SimpleApnsPushNotification> send(
            String token, String payload, DeliveryPriority priority, PushType type, String collapseId)
            throws Exception {
        return client.sendNotification(new SimpleApnsPushNotification(
                        token, ApnsEmulator.TOPIC, payload, Instant.now().plusSeconds(60), priority, type, collapseId))
                .get(30, TimeUnit.SECONDS);
    }

    @Test
    void aBackgroundPushAtPriorityFiveIsKeptWithItsHeaders() throws Exception {
        String token = token();

        var response = send(
                token,
                "{\"aps\":{\"content-available\":1},\"sync\":\"x\"}",
                DeliveryPriority.CONSERVE_POWER,
                PushType.BACKGROUND,
                "n-1");

        assertThat(response.isAccepted()).isTrue();
        assertThat(apns.received())
                .filteredOn(r -> r.token().equals(token))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.pushType()).isEqualTo("background");
                    assertThat(r.priority()).isEqualTo("5");
                    assertThat(r.collapseId()).isEqualTo("n-1");
                    assertThat(r.payload()).isEqualTo("{\"aps\":{\"content-available\":1},\"sync\":\"x\"}");
                });
    }

    @Test
    void whatApnsRefusesIsRefusedWithApplesReason() throws Exception {
        String big = "{\"aps\":{\"alert\":\"x\"},\"k\":\"" + "x".repeat(4096) + "\"}";
        String token = token();

        assertThat(send(token, big, DeliveryPriority.IMMEDIATE, PushType.ALERT, "c")
                        .getRejectionReason())
                .contains("PayloadTooLarge");
        assertThat(send(
                                token,
                                "{\"aps\":{\"content-available\":1}}",
                                DeliveryPriority.IMMEDIATE,
                                PushType.BACKGROUND,
                                "c")
                        .getRejectionReason())
                .contains("BadPriority");
        assertThat(send(token, "{\"aps\":{\"content-available\":1}}", DeliveryPriority.IMMEDIATE, PushType.ALERT, "c")
                        .getRejectionReason())
                .contains("BadPriority");
        assertThat(send(
                                token,
                                "{\"aps\":{\"alert\":\"hi\"}}",
                                DeliveryPriority.CONSERVE_POWER,
                                PushType.BACKGROUND,
                                "c")
                        .getRejectionReason())
                .contains("InvalidPushType");
        assertThat(send(
                                token,
                                "{\"aps\":{\"alert\":\"hi\"}}",
                                DeliveryPriority.IMMEDIATE,
                                PushType.ALERT,
                                "c".repeat(65))
                        .getRejectionReason())
                .contains("BadCollapseId");
        assertThat(apns.received()).noneMatch(r -> r.token().equals(token));
    }
}
