package io.herald.dispatch.fcm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.testkit.fcm.FcmAnswer;
import io.herald.testkit.fcm.FcmEmulator;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Herald's HTTP/2 client against the FCM emulator's HTTP/2 server (Jetty, h2c). */
class Http2OriginTest {

    private static final AsciiString SEND = AsciiString.cached("/v1/projects/demo/messages:send");
    private static final AsciiString BEARER = AsciiString.cached("Bearer t");

    private static byte[] message(String token) {
        return ("{\"message\":{\"token\":\"" + token + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    /** The status of one send to {@code token}. */
    private static int status(Http2Origin http, String token) throws Exception {
        return http.postJson(SEND, BEARER, message(token))
                .get(10, TimeUnit.SECONDS)
                .status();
    }

    @Test
    void thousandsOfConcurrentRequestsOnOneConnectionAreAllAnswered() throws Exception {
        // More than the server's SETTINGS_MAX_CONCURRENT_STREAMS (1024): the rest wait in the connection.
        try (var fcm = FcmEmulator.start();
                var http = new Http2Origin(URI.create(fcm.baseUrl()), 1, Duration.ofSeconds(30), Map.of())) {
            fcm.keepMessages(false);
            List<CompletableFuture<Http2Origin.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                answers.add(http.postJson(SEND, BEARER, message("token-" + i)));
            }
            for (var answer : answers) {
                Http2Origin.Response response = answer.get(30, TimeUnit.SECONDS);
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).startsWith("{\"name\":\"projects/demo/messages/");
            }
            assertThat(fcm.acceptedCount()).isEqualTo(3_000);
        }
    }

    @Test
    void anErrorAnswerComesWithItsBodyAndRetryAfter() throws Exception {
        try (var fcm = FcmEmulator.start();
                var http = new Http2Origin(URI.create(fcm.baseUrl()), 2, Duration.ofSeconds(30), Map.of())) {
            fcm.script().forToken("busy", 1, FcmAnswer.throttle(Duration.ofSeconds(7)));

            Http2Origin.Response response =
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
                var http = new Http2Origin(URI.create(fcm.baseUrl()), 1, Duration.ofMillis(500), Map.of())) {
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
        try (var http = new Http2Origin(URI.create(fcm.baseUrl()), 1, Duration.ofSeconds(30), Map.of())) {
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
        assertThatThrownBy(() -> new Http2Origin(URI.create("ftp://example.com"), 1, Duration.ofSeconds(1), Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRefusedConnectionFailsTheRequest() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (var http = new Http2Origin(URI.create("http://127.0.0.1:" + port), 1, Duration.ofSeconds(5), Map.of())) {
            assertThatThrownBy(() -> http.postJson(SEND, BEARER, message("a")).get(10, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("could not connect");
        }
    }
}
