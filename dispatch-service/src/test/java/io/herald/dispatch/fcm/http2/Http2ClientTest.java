package io.herald.dispatch.fcm.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.herald.testkit.emulator.LocalCertificates;
import io.herald.testkit.fcm.FcmAnswer;
import io.herald.testkit.fcm.FcmEmulator;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Herald's HTTP/2 client against the FCM emulator's HTTP/2 server (Jetty, h2c), and against {@link Http2TestServer}
 * (Netty) for what the emulator cannot do: {@code GOAWAY}, a connection out of stream ids, TLS with ALPN.
 */
class Http2ClientTest {

    private static final AsciiString SEND = AsciiString.cached("/v1/projects/demo/messages:send");
    private static final AsciiString BEARER = AsciiString.cached("Bearer t");

    private static byte[] message(String token) {
        return ("{\"message\":{\"token\":\"" + token + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    /** The status of one send to {@code token}. */
    private static int status(Http2Client http, String token) throws Exception {
        return http.postJson(SEND, BEARER, message(token))
                .get(10, TimeUnit.SECONDS)
                .status();
    }

    @Test
    void thousandsOfConcurrentRequestsOnOneConnectionAreAllAnswered() throws Exception {
        // More than the server's SETTINGS_MAX_CONCURRENT_STREAMS (1024): the rest wait in the connection.
        try (var fcm = FcmEmulator.start();
                var http = new Http2Client(URI.create(fcm.baseUrl()), 1, Duration.ofSeconds(30), Map.of(), null)) {
            fcm.keepMessages(false);
            List<CompletableFuture<Http2Response>> answers = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                answers.add(http.postJson(SEND, BEARER, message("token-" + i)));
            }
            for (var answer : answers) {
                Http2Response response = answer.get(30, TimeUnit.SECONDS);
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).startsWith("{\"name\":\"projects/demo/messages/");
            }
            assertThat(fcm.acceptedCount()).isEqualTo(3_000);
        }
    }

    @Test
    void anErrorAnswerComesWithItsBodyAndRetryAfter() throws Exception {
        try (var fcm = FcmEmulator.start();
                var http = new Http2Client(URI.create(fcm.baseUrl()), 2, Duration.ofSeconds(30), Map.of(), null)) {
            fcm.script().forToken("busy", 1, FcmAnswer.throttle(Duration.ofSeconds(7)));

            Http2Response response =
                    http.postJson(SEND, BEARER, message("busy")).get(30, TimeUnit.SECONDS);

            assertThat(response.status()).isEqualTo(429);
            assertThat(response.retryAfter()).isEqualTo("7");
            assertThat(response.body()).contains("\"QUOTA_EXCEEDED\"").contains("RESOURCE_EXHAUSTED");
            fcm.acceptAccessToken("right");
            assertThat(status(http, "x")).isEqualTo(401);
        }
    }

    @Test
    void aRequestWithoutAnswerInTimeIsResetAndFailsWhileTheConnectionGoesOn() throws Exception {
        try (var fcm = FcmEmulator.start();
                var http = new Http2Client(URI.create(fcm.baseUrl()), 1, Duration.ofMillis(500), Map.of(), null)) {
            fcm.script().forToken("slow", 1, FcmAnswer.hang(Duration.ofSeconds(30)));

            var hung = http.postJson(SEND, BEARER, message("slow"));
            var fine = http.postJson(SEND, BEARER, message("fast"));

            assertThat(fine.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThatThrownBy(() -> hung.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("no answer within");
            assertThat(status(http, "after")).isEqualTo(200);
        }
    }

    @Test
    void aLostServerFailsRequestsAndTheNextRequestsReconnect() throws Exception {
        var fcm = FcmEmulator.start();
        int port = fcm.port();
        try (var http = new Http2Client(URI.create(fcm.baseUrl()), 1, Duration.ofSeconds(30), Map.of(), null)) {
            assertThat(status(http, "a")).isEqualTo(200);
            fcm.script().forToken("stuck", 1, FcmAnswer.hang(Duration.ofSeconds(30)));
            var inFlight = http.postJson(SEND, BEARER, message("stuck"));
            fcm.close();

            assertThatThrownBy(() -> inFlight.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(IOException.class);
            assertThatThrownBy(() -> http.postJson(SEND, BEARER, message("b")).get(10, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(IOException.class);

            fcm = FcmEmulator.start(port);
            assertThat(status(http, "c")).isEqualTo(200);
            assertThat(fcm.received())
                    .singleElement()
                    .satisfies(r ->
                            assertThat(r.message().path("token").asString()).isEqualTo("c"));
        } finally {
            fcm.close();
        }
    }

    @Test
    void onlyHttpAndHttpsAreSpoken() {
        assertThatThrownBy(() ->
                        new Http2Client(URI.create("ftp://example.com"), 1, Duration.ofSeconds(1), Map.of(), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRefusedConnectionFailsTheRequest() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (var http =
                new Http2Client(URI.create("http://127.0.0.1:" + port), 1, Duration.ofSeconds(5), Map.of(), null)) {
            assertThatThrownBy(() -> http.postJson(SEND, BEARER, message("a")).get(10, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("could not connect");
        }
    }

    @Test
    void aGoAwayFailsTheRequestsAboveItsLastStreamIdAnswersTheRestAndTheNextRequestsUseANewConnection()
            throws Exception {
        try (var server = Http2TestServer.cleartext();
                var http = new Http2Client(server.baseUrl(), 1, Duration.ofSeconds(30), Map.of(), null)) {
            server.hold(4);
            List<CompletableFuture<Http2Response>> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(http.postJson(SEND, BEARER, message("held-" + i)));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.heldCount() == 4);
            // A client's streams are odd, and Netty's client starts at 3 (1 is kept for an HTTP/1.1 upgrade).
            assertThat(server.seen()).extracting(Http2TestServer.Seen::streamId).containsExactlyInAnyOrder(3, 5, 7, 9);

            // The server will process streams 3 and 5 and no more.
            server.goAway(5);
            for (var above : answers.subList(2, 4)) {
                assertThatThrownBy(() -> above.get(10, TimeUnit.SECONDS))
                        .cause()
                        .isInstanceOf(IOException.class)
                        .hasMessage("the stream ended without a whole answer");
            }
            server.answerHeld();
            for (var upTo : answers.subList(0, 2)) {
                assertThat(upTo.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            }

            assertThat(status(http, "after")).isEqualTo(200);
            assertThat(server.seen().getLast().connection()).isEqualTo(1);
            // The old connection, its streams done, is closed.
            await().atMost(Duration.ofSeconds(10)).until(() -> !server.isOpen(0));
        }
    }

    @Test
    void aConnectionThatHasUsedItsStreamIdsIsReplaced() throws Exception {
        // Retired from stream id 5 on: streams 3 and 5 on each connection, then a new one.
        try (var server = Http2TestServer.cleartext();
                var http = new Http2Client(server.baseUrl(), 1, Duration.ofSeconds(30), Map.of(), null, 5)) {
            for (int i = 0; i < 5; i++) {
                assertThat(status(http, "token-" + i)).isEqualTo(200);
            }

            assertThat(server.seen())
                    .extracting(Http2TestServer.Seen::connection, Http2TestServer.Seen::streamId)
                    .containsExactly(tuple(0, 3), tuple(0, 5), tuple(1, 3), tuple(1, 5), tuple(2, 3));
            await().atMost(Duration.ofSeconds(10)).until(() -> !server.isOpen(0));
        }
    }

    @Test
    void overTlsTheClientNegotiatesH2ByAlpnAndTrustsTheConfiguredCa(@TempDir Path dir) throws Exception {
        LocalCertificates certificates = LocalCertificates.make(dir, "Herald HTTP2 test CA");
        try (var server = Http2TestServer.tls(certificates);
                var http = new Http2Client(
                        server.baseUrl(), 1, Duration.ofSeconds(30), Map.of(), certificates.authorityCertificate())) {
            Http2Response response =
                    http.postJson(SEND, BEARER, message("secure")).get(10, TimeUnit.SECONDS);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"name\":\"projects/test/messages/3\"}");
            assertThat(server.protocols()).containsExactly("h2");
            assertThat(server.seen()).extracting(Http2TestServer.Seen::path).containsExactly(SEND.toString());
        }
    }

    @Test
    void overTlsAServerCertificateFromAnUntrustedCaFailsTheRequest(@TempDir Path dir) throws Exception {
        LocalCertificates certificates = LocalCertificates.make(dir, "Herald HTTP2 test CA");
        // The system's CAs only: they never signed the test CA.
        try (var server = Http2TestServer.tls(certificates);
                var http = new Http2Client(server.baseUrl(), 1, Duration.ofSeconds(30), Map.of(), null)) {
            assertThatThrownBy(() -> http.postJson(SEND, BEARER, message("a")).get(10, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(IOException.class);
            assertThat(server.seen()).isEmpty();
        }
    }

    @Test
    void anUnreadableTrustedCaFileIsRefusedAtOnce(@TempDir Path dir) {
        assertThatThrownBy(() -> new Http2Client(
                        URI.create("https://127.0.0.1:1"), 1, Duration.ofSeconds(1), Map.of(), dir.resolve("none.pem")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no TLS for https://127.0.0.1:1");
    }
}
