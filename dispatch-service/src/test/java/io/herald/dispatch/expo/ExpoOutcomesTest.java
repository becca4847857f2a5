package io.herald.dispatch.expo;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.dispatch.TestDeliveries;
import io.herald.dispatch.delivery.SendOutcome;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.testkit.expo.ExpoAnswer;
import io.herald.testkit.expo.ExpoEmulator;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** Expo's documented ticket errors and request errors, as the emulator answers them, become the right outcomes. */
class ExpoOutcomesTest {

    ExpoEmulator expo;
    ExpoProvider provider;

    @BeforeEach
    void start() {
        expo = ExpoEmulator.start();
        provider = provider(Duration.ofMillis(10));
    }

    /** A provider for the emulator whose messages wait up to {@code linger} for company. */
    private ExpoProvider provider(Duration linger) {
        return new ExpoProvider(new ExpoProperties(
                true,
                URI.create(expo.baseUrl()),
                null,
                DataSize.ofKilobytes(1),
                Duration.ofMinutes(15),
                Duration.ofMinutes(1),
                100,
                linger));
    }

    @AfterEach
    void stop() {
        provider.destroy();
        expo.close();
    }

    private static PushDelivery delivery() {
        return TestDeliveries.like("user-1", "ExponentPushToken[" + UUID.randomUUID() + "]", Provider.EXPO);
    }

    private SendOutcome send(ExpoAnswer answer) throws Exception {
        PushDelivery delivery = delivery();
        expo.script().forToken(delivery.token(), 1, answer);
        return provider.send(delivery).get(30, TimeUnit.SECONDS);
    }

    @Test
    void flushSendsWhatWaitsForCompanyAtOnce() throws Exception {
        provider.destroy();
        provider = provider(Duration.ofMinutes(10));
        List<CompletableFuture<SendOutcome>> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sent.add(provider.send(delivery()));
        }

        provider.flush();

        for (var outcome : sent) {
            assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(SendOutcome.Accepted.class);
        }
        assertThat(expo.sendRequestSizes()).containsExactly(3);
    }

    @Test
    void eachTicketErrorBecomesTheRightOutcome() throws Exception {
        assertThat(send(ExpoAnswer.succeed())).isInstanceOf(SendOutcome.Accepted.class);
        assertThat(send(ExpoAnswer.ticketError("DeviceNotRegistered")))
                .isInstanceOfSatisfying(SendOutcome.Rejected.class, r -> {
                    assertThat(r.code()).isEqualTo("DeviceNotRegistered");
                    assertThat(r.tokenDead()).isTrue();
                });
        for (String bad : List.of("MessageTooBig", "InvalidCredentials")) {
            assertThat(send(ExpoAnswer.ticketError(bad))).isInstanceOfSatisfying(SendOutcome.Rejected.class, r -> {
                assertThat(r.code()).isEqualTo(bad);
                assertThat(r.tokenDead()).isFalse();
            });
        }
        assertThat(send(ExpoAnswer.ticketError("MessageRateExceeded")))
                .isInstanceOfSatisfying(
                        SendOutcome.Failed.class, f -> assertThat(f.code()).isEqualTo("MessageRateExceeded"));
    }

    @Test
    void throttlingAndOutagesAreTransientAndKeepRetryAfter() throws Exception {
        expo.script().everyRequest(1, ExpoAnswer.throttle(Duration.ofSeconds(7)));
        assertThat(provider.send(delivery()).get(30, TimeUnit.SECONDS))
                .isEqualTo(new SendOutcome.Failed("TOO_MANY_REQUESTS", "Expo answered 429", Duration.ofSeconds(7)));
        expo.script().everyRequest(1, ExpoAnswer.unavailable());
        assertThat(provider.send(delivery()).get(30, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(
                        SendOutcome.Failed.class,
                        f -> assertThat(f.retryAfter()).isNull());
        assertThat(provider.send(delivery()).get(30, TimeUnit.SECONDS)).isInstanceOf(SendOutcome.Accepted.class);
    }

    @Test
    void deliveriesSentTogetherShareRequestsOfAtMostAHundred() throws Exception {
        // A linger no busy machine outlasts: a request goes when it is full or flushed, as a poll's sends do.
        provider.destroy();
        provider = provider(Duration.ofMinutes(10));
        List<CompletableFuture<SendOutcome>> sends = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            sends.add(provider.send(delivery()));
        }
        provider.flush();
        for (var send : sends) {
            assertThat(send.get(30, TimeUnit.SECONDS)).isInstanceOf(SendOutcome.Accepted.class);
        }
        assertThat(expo.received()).hasSize(250);
        assertThat(expo.receivedCount()).isEqualTo(250);
        assertThat(expo.sendRequestSizes()).containsExactlyInAnyOrder(100, 100, 50);
    }
}
