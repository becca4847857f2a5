package io.herald.dispatch.fcm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.firebase.messaging.Message;
import io.herald.dispatch.delivery.SendOutcome;
import io.herald.dispatch.fcm.http2.Http2TestServer;
import io.herald.testkit.emulator.LocalCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Herald's FCM client makes of its connection's troubles, against a Netty HTTP/2 server that answers as FCM does
 * on success: a send the server never processed is a failed send, which dispatch-service retries.
 */
class FcmDirectClientTest {

    private static Message to(String token) {
        return Message.builder().setToken(token).build();
    }

    @Test
    void aSendAboveTheLastStreamIdOfAGoAwayIsAFailedSendAndTheOthersAreAccepted() throws Exception {
        try (var server = Http2TestServer.cleartext();
                var client = new FcmDirectClient(
                        server.baseUrl(), "test", FcmAuth.fixed("t"), 1, Duration.ofSeconds(30), null)) {
            server.hold(2);
            var processed = client.send(to("a"));
            var notProcessed = client.send(to("b"));
            await().atMost(Duration.ofSeconds(10)).until(() -> server.heldCount() == 2);

            // Streams 3 and 5 (a Netty client's first two): the server processes 3 alone.
            server.goAway(3);
            server.answerHeld();

            assertThat(notProcessed.get(10, TimeUnit.SECONDS))
                    .isEqualTo(new SendOutcome.Failed("IO", "the stream ended without a whole answer", null));
            assertThat(processed.get(10, TimeUnit.SECONDS))
                    .isEqualTo(new SendOutcome.Accepted("projects/test/messages/3"));
            assertThat(client.send(to("c")).get(10, TimeUnit.SECONDS)).isInstanceOf(SendOutcome.Accepted.class);
        }
    }

    @Test
    void anHttpsBaseUrlIsReachedWithTheTrustedCaAndTheFixedAccessToken(@TempDir Path dir) throws Exception {
        LocalCertificates certificates = LocalCertificates.make(dir, "Herald HTTP2 test CA");
        try (var server = Http2TestServer.tls(certificates);
                var client = new FcmDirectClient(
                        server.baseUrl(),
                        "test",
                        FcmAuth.fixed("t"),
                        1,
                        Duration.ofSeconds(30),
                        certificates.authorityCertificate())) {
            assertThat(client.send(to("a")).get(10, TimeUnit.SECONDS))
                    .isEqualTo(new SendOutcome.Accepted("projects/test/messages/3"));
            assertThat(server.seen()).singleElement().satisfies(seen -> {
                assertThat(seen.path()).isEqualTo("/v1/projects/test/messages:send");
                assertThat(seen.authorization()).isEqualTo("Bearer t");
            });
            assertThat(server.protocols()).containsExactly("h2");
        }
    }
}
