package io.herald.dispatch.fcm;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.dispatch.TestDeliveries;
import io.herald.dispatch.delivery.SendOutcome;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.testkit.fcm.FcmAnswer;
import io.herald.testkit.fcm.FcmEmulator;
import io.herald.testkit.fcm.FcmError;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;

/**
 * Every FCM error the emulator answers, as the real service documents it, becomes the right outcome through
 * Herald's FCM client.
 */
class FcmOutcomesTest {

    static FcmEmulator fcm;

    @BeforeAll
    static void start() {
        fcm = FcmEmulator.start();
    }

    @AfterAll
    static void stop() {
        fcm.close();
    }

    private static FcmProvider provider() {
        return new FcmProvider(
                new FcmProperties(
                        true,
                        "herald-test",
                        null,
                        URI.create(fcm.baseUrl()),
                        "herald-emulator",
                        null,
                        2,
                        Duration.ofSeconds(20)),
                Clock.systemUTC(),
                new DefaultListableBeanFactory().getBeanProvider(FcmSender.class));
    }

    private static SendOutcome send(FcmProvider provider, @Nullable FcmError error) throws Exception {
        PushDelivery delivery = TestDeliveries.like("user-1", "token-" + UUID.randomUUID(), Provider.FCM);
        if (error != null) {
            // More failures than one send needs: the script is per token and the client does not retry by itself.
            fcm.script().forToken(delivery.token(), 10, FcmAnswer.fail(error));
        }
        return provider.send(delivery).get(30, TimeUnit.SECONDS);
    }

    @Test
    void aGoodTokenIsAccepted() throws Exception {
        FcmProvider provider = provider();
        try {
            SendOutcome outcome = send(provider, null);
            assertThat(outcome).isInstanceOf(SendOutcome.Accepted.class);
            assertThat(((SendOutcome.Accepted) outcome).providerMessageId())
                    .startsWith("projects/herald-test/messages/");
        } finally {
            provider.destroy();
        }
    }

    @Test
    void eachErrorBecomesTheRightOutcome() throws Exception {
        FcmProvider provider = provider();
        try {
            // Dead tokens: never retried, token feedback.
            for (FcmError dead :
                    new FcmError[] {FcmError.UNREGISTERED, FcmError.SENDER_ID_MISMATCH, FcmError.INVALID_ARGUMENT}) {
                assertThat(send(provider, dead))
                        .as("%s", dead)
                        .isEqualTo(new SendOutcome.Rejected(dead.errorCode(), dead.message(), true));
            }
            // A bad message: never retried, dead-lettered, the token stays.
            assertThat(send(provider, FcmError.INVALID_PAYLOAD))
                    .isEqualTo(new SendOutcome.Rejected("INVALID_ARGUMENT", FcmError.INVALID_PAYLOAD.message(), false));
            // Transient: retried, after Retry-After where FCM sent one.
            assertThat(send(provider, FcmError.QUOTA_EXCEEDED))
                    .isEqualTo(new SendOutcome.Failed(
                            "QUOTA_EXCEEDED", FcmError.QUOTA_EXCEEDED.message(), Duration.ofSeconds(1)));
            assertThat(send(provider, FcmError.UNAVAILABLE))
                    .isEqualTo(new SendOutcome.Failed(
                            "UNAVAILABLE", FcmError.UNAVAILABLE.message(), Duration.ofSeconds(1)));
            assertThat(send(provider, FcmError.INTERNAL))
                    .isEqualTo(new SendOutcome.Failed("INTERNAL", FcmError.INTERNAL.message(), null));
        } finally {
            provider.destroy();
        }
    }

    @Test
    void aWrongAccessTokenIsATransientFailure() throws Exception {
        FcmProvider provider = provider();
        fcm.acceptAccessToken("another-token");
        try {
            SendOutcome outcome = send(provider, null);
            assertThat(outcome).isInstanceOf(SendOutcome.Failed.class);
            assertThat(((SendOutcome.Failed) outcome).code()).isEqualTo("UNAUTHENTICATED");
        } finally {
            fcm.acceptAccessToken(null);
            provider.destroy();
        }
    }
}
