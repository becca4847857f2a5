package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * User ids as identity providers make them — {@code auth0|abc}, e-mail addresses, ids with a slash, a percent sign,
 * spaces, emoji, 255 characters — through the whole stack in one JVM: the user registers a device through the
 * gateway with a JWT of that subject, an event for that recipient is published through the gateway, and the push
 * reaches the FCM emulator for that device, the notification reaches the user's socket live and their inbox over
 * HTTP, and their preferences and devices can be read, changed and removed.
 */
@ExtendWith(SharedDevStack.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class AwkwardSubjectsIT {

    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final AtomicInteger tokens = new AtomicInteger();

    private static DevStack stack;

    @BeforeAll
    static void useTheSharedStack(DevStack shared) {
        stack = shared;
        // The live path starts reading at the newest record once it has its partitions: until a socket sees a
        // notification published after it connected, a test's notification could be published before that.
        String warmUp = "warm-up-" + UUID.randomUUID();
        try (var socket = Socket.open(jwt(warmUp))) {
            socket.next("unread_count");
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> {
                        publish(warmUp, "warm-up");
                        return socket.poll("notification").isPresent();
                    });
        }
    }

    static List<String> subjects() {
        return List.of(
                "auth0|abc",
                "a+b@example.com",
                "google-oauth2|1/2",
                "100%",
                "with space",
                "émoji😀",
                // OpenID Connect's longest subject
                "long-" + "x".repeat(250));
    }

    @ParameterizedTest
    @MethodSource("subjects")
    void aUserWithThisSubjectGetsTheirPushTheirSocketTheirInboxAndTheirPreferences(String subject) throws Exception {
        String jwt = jwt(subject);
        String token = "fcm-awkward-" + tokens.incrementAndGet() + "-" + UUID.randomUUID();

        // Devices: register, list.
        JsonNode device = call("POST", "/v1/devices", jwt, """
                {"provider":"fcm","token":"%s","platform":"android","locale":"en-US"}""".formatted(token), 201);
        assertThat(call("GET", "/v1/devices", jwt, null, 200))
                .singleElement()
                .satisfies(d -> assertThat(d.path("deviceId").asString())
                        .isEqualTo(device.path("deviceId").asString()));

        // Preferences round-trip (muting another type, so that this event still arrives).
        call("PUT", "/v1/preferences", jwt, "{\"muteAll\":false,\"mutedTypes\":[\"recommended_product\"]}", 200);
        assertThat(call("GET", "/v1/preferences", jwt, null, 200)
                        .path("mutedTypes")
                        .get(0)
                        .asString())
                .isEqualTo("recommended_product");

        try (var socket = Socket.open(jwt)) {
            assertThat(socket.next("unread_count").path("unread_count").asLong())
                    .isZero();
            String eventId = publish(subject, "Hello");
            String notificationId = Ids.notificationId(UUID.fromString(eventId), DevStack.APP_NAME, subject)
                    .toString();

            // The push, for this user's device.
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> stack.fcm().received().stream()
                            .anyMatch(r -> r.message().path("token").asString().equals(token)
                                    && r.message()
                                            .path("data")
                                            .path("herald.eventId")
                                            .asString()
                                            .equals(eventId)));
            // Live, on this user's socket.
            assertThat(socket.next("notification")
                            .path("notification")
                            .path("id")
                            .asString())
                    .isEqualTo(notificationId);
            // The inbox over HTTP: list, unread count, read, read all, delete.
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(call("GET", "/v1/inbox", jwt, null, 200)
                                    .path("items")
                                    .findValuesAsString("id"))
                            .containsExactly(notificationId));
            assertThat(call("GET", "/v1/inbox/unread-count", jwt, null, 200)
                            .path("unreadCount")
                            .asLong())
                    .isOne();
            call("POST", "/v1/inbox/" + notificationId + "/read", jwt, null, 204);
            assertThat(call("GET", "/v1/inbox/unread-count", jwt, null, 200)
                            .path("unreadCount")
                            .asLong())
                    .isZero();
            assertThat(call("POST", "/v1/inbox/read-all", jwt, null, 200)
                            .path("updated")
                            .asInt())
                    .isZero();
            // Over the socket too.
            socket.send("{\"type\":\"get_notifications\",\"page\":1,\"page_size\":10}");
            assertThat(socket.next("notifications_list").path("total").asLong()).isOne();
            call("DELETE", "/v1/inbox/" + notificationId, jwt, null, 204);
            assertThat(call("GET", "/v1/inbox", jwt, null, 200).path("items")).isEmpty();
        }

        call("DELETE", "/v1/devices/" + device.path("deviceId").asString(), jwt, null, 204);
        assertThat(call("GET", "/v1/devices", jwt, null, 200)).isEmpty();
    }

    /** A dev JWT whose subject is {@code userId}, from the gateway. */
    private static String jwt(String userId) {
        String body = HeraldJson.mapper().writeValueAsString(Map.of("userId", userId));
        var response = send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/dev/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return HeraldJson.mapper().readTree(response.body()).path("token").asString();
    }

    /** Publishes a chat message to {@code recipient} through the gateway; its event id. */
    private static String publish(String recipient, String title) {
        String event = HeraldJson.mapper()
                .writeValueAsString(Map.of(
                        "type", "chat", "recipients", List.of(recipient), "title", title, "body", "from the test"));
        var response = send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/events"))
                .header("Content-Type", "application/json")
                .header("X-Api-Key", stack.apiKey())
                .POST(HttpRequest.BodyPublishers.ofString(event))
                .build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return HeraldJson.mapper().readTree(response.body()).path("eventId").asString();
    }

    private static JsonNode call(String method, String path, String jwt, String body, int expected) {
        var response = send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
                .header("Authorization", "Bearer " + jwt)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build());
        assertThat(response.statusCode())
                .as("%s %s answered %s", method, path, response.body())
                .isEqualTo(expected);
        return response.body().isEmpty()
                ? HeraldJson.mapper().createObjectNode()
                : HeraldJson.mapper().readTree(response.body());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A WebSocket to ws-fanout (the JDK's client) that keeps every message it receives. */
    private static final class Socket implements AutoCloseable {

        private final WebSocket socket;
        private final List<JsonNode> received;

        private Socket(WebSocket socket, List<JsonNode> received) {
            this.socket = socket;
            this.received = received;
        }

        static Socket open(String jwt) {
            List<JsonNode> received = new ArrayList<>();
            WebSocket socket = http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + jwt)
                    .buildAsync(URI.create(stack.webSocketUrl()), new WebSocket.Listener() {
                        private final StringBuilder partial = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                synchronized (received) {
                                    received.add(HeraldJson.mapper().readTree(partial.toString()));
                                }
                                partial.setLength(0);
                            }
                            ws.request(1);
                            return null;
                        }
                    })
                    .join();
            return new Socket(socket, received);
        }

        void send(String json) {
            socket.sendText(json, true).join();
        }

        /** The oldest message of {@code type} not taken yet, waiting for it. */
        JsonNode next(String type) {
            return await().atMost(Duration.ofSeconds(30))
                    .until(() -> poll(type), Optional::isPresent)
                    .orElseThrow();
        }

        /** Takes the oldest message of {@code type}, if one has come. */
        Optional<JsonNode> poll(String type) {
            synchronized (received) {
                for (int i = 0; i < received.size(); i++) {
                    if (received.get(i).path("type").asString().equals(type)) {
                        return Optional.of(received.remove(i));
                    }
                }
                return Optional.empty();
            }
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
            socket.abort();
        }
    }
}
