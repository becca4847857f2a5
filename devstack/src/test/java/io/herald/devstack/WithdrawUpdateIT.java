package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.testkit.fcm.FcmEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * An app withdraws and updates what it sent, end to end: it publishes through the gateway, then calls {@code POST
 * /v1/events/{id}/withdraw}, {@code POST /v1/withdrawals} or {@code PATCH /v1/events/{id}}; the user's open socket
 * is told, the inbox (read through the gateway with the user's JWT) changes, and the phone (the FCM emulator) gets
 * the push that clears or replaces the notification.
 */
@ExtendWith(SharedDevStack.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class WithdrawUpdateIT {

    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static DevStack stack;

    @BeforeAll
    static void useTheSharedStack(DevStack shared) {
        stack = shared;
    }

    @Test
    void aWithdrawnNotificationLeavesTheSocketTheInboxAndThePhone() throws Exception {
        String user = "withdraw-" + UUID.randomUUID();
        String token = "fcm-withdraw-" + UUID.randomUUID();
        String jwt = jwt(user);
        registerFcmDevice(jwt, token);
        try (var socket = Socket.open(jwt)) {
            String eventId = publish("""
                    {"type":"work_assigned","recipients":["%s"],"title":"New job","body":"Boiler repair at 10:00",
                     "data":{"work_id":"w-8"},"link":"app://work/w-8","imageUrl":"https://img.example/w-8.png"}
                    """.formatted(user));
            UUID id = Ids.notificationId(UUID.fromString(eventId), DevStack.APP_NAME, user);
            JsonNode shown = socket.await(f -> f.path("type").asString().equals("notification")
                            && f.path("notification").path("id").asString().equals(id.toString()))
                    .path("notification");
            assertThat(shown.path("link").asString()).isEqualTo("app://work/w-8");
            assertThat(shown.path("image_url").asString()).isEqualTo("https://img.example/w-8.png");
            awaitFcm(token, m -> m.path("notification").path("title").asString().equals("New job"));
            await().atMost(Duration.ofSeconds(30)).until(() -> inboxIds(jwt).contains(id.toString()));

            // No recipients: those of the event's delivery log (it has them once the push went out).
            JsonNode accepted = call("POST", "/v1/events/" + eventId + "/withdraw", null, 202);
            assertThat(accepted.path("eventId").asString()).isNotEqualTo(eventId);

            JsonNode withdrawn = socket.await(f -> f.path("type").asString().equals("notification_withdrawn"));
            assertThat(withdrawn.path("id").asString()).isEqualTo(id.toString());
            await().atMost(Duration.ofSeconds(30)).until(() -> !inboxIds(jwt).contains(id.toString()));
            assertThat(unreadCount(jwt)).isZero();
            JsonNode clear = awaitFcm(
                    token,
                    m -> "withdraw".equals(m.path("data").path("herald.change").asString()));
            assertThat(clear.path("data").path("herald.notificationId").asString())
                    .isEqualTo(id.toString());
            assertThat(clear.has("notification")).as("a data-only push").isFalse();
        }
    }

    @Test
    void aWithdrawalByCollapseKeyRemovesEveryItemSentWithIt() throws Exception {
        String user = "collapse-" + UUID.randomUUID();
        String token = "fcm-collapse-" + UUID.randomUUID();
        String jwt = jwt(user);
        registerFcmDevice(jwt, token);
        try (var socket = Socket.open(jwt)) {
            String key = "job-" + UUID.randomUUID().toString().substring(0, 8);
            String first = publish(offer(user, key, "first"));
            String second = publish(offer(user, key, "second"));
            String other = publish(offer(user, "another-key", "other"));
            for (String eventId : List.of(first, second, other)) {
                String id = Ids.notificationId(UUID.fromString(eventId), DevStack.APP_NAME, user)
                        .toString();
                socket.await(f -> f.path("notification").path("id").asString().equals(id));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> inboxIds(jwt).size() == 3);

            call("POST", "/v1/withdrawals", "{\"collapseKey\":\"" + key + "\",\"recipients\":[\"" + user + "\"]}", 202);

            JsonNode withdrawn = socket.await(f -> f.path("type").asString().equals("notification_withdrawn"));
            assertThat(withdrawn.path("collapse_key").asString()).isEqualTo(key);
            assertThat(withdrawn.path("source").asString()).isEqualTo(DevStack.APP_NAME);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> inboxIds(jwt)
                            .equals(List.of(Ids.notificationId(UUID.fromString(other), DevStack.APP_NAME, user)
                                    .toString())));
            assertThat(unreadCount(jwt)).isEqualTo(1);
            JsonNode clear = awaitFcm(
                    token,
                    m -> "withdraw".equals(m.path("data").path("herald.change").asString()));
            assertThat(clear.path("data").path("herald.collapseKey").asString()).isEqualTo(key);
        }
    }

    @Test
    void anUpdateReplacesTheWordsOnTheSocketInTheInboxAndOnThePhone() throws Exception {
        String user = "update-" + UUID.randomUUID();
        String token = "fcm-update-" + UUID.randomUUID();
        String jwt = jwt(user);
        registerFcmDevice(jwt, token);
        try (var socket = Socket.open(jwt)) {
            String eventId = publish("""
                    {"type":"booking_status","recipients":["%s"],"title":"Booking at 10:00","body":"See you then",
                     "data":{"bookingId":"b-11"}}""".formatted(user));
            String id = Ids.notificationId(UUID.fromString(eventId), DevStack.APP_NAME, user)
                    .toString();
            socket.await(f -> f.path("notification").path("id").asString().equals(id));
            await().atMost(Duration.ofSeconds(30)).until(() -> inboxIds(jwt).contains(id));
            awaitFcm(token, m -> m.path("notification").path("title").asString().equals("Booking at 10:00"));

            call("PATCH", "/v1/events/" + eventId, """
                    {"recipients":["%s"],"type":"booking_status","title":"Booking moved to 11:00",
                     "body":"Your barber moved it","data":{"bookingId":"b-11","time":"11:00"}}""".formatted(user), 202);

            JsonNode updated = socket.await(f -> f.path("type").asString().equals("notification_updated"))
                    .path("notification");
            assertThat(updated.path("id").asString()).isEqualTo(id);
            assertThat(updated.path("title").asString()).isEqualTo("Booking moved to 11:00");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> inbox(jwt)
                            .path("items")
                            .get(0)
                            .path("title")
                            .asString()
                            .equals("Booking moved to 11:00"));
            JsonNode item = inbox(jwt).path("items").get(0);
            assertThat(item.path("id").asString()).isEqualTo(id);
            assertThat(item.path("body").asString()).isEqualTo("Your barber moved it");
            assertThat(item.path("data").path("time").asString()).isEqualTo("11:00");
            assertThat(inbox(jwt).path("items")).hasSize(1);
            JsonNode replaced = awaitFcm(
                    token, m -> m.path("notification").path("title").asString().equals("Booking moved to 11:00"));
            assertThat(replaced.path("android").path("notification").path("tag").asString())
                    .isEqualTo(id);
        }
    }

    private static String offer(String user, String collapseKey, String title) {
        return """
                {"type":"job_offer","recipients":["%s"],"title":"%s","body":"A job near you","collapseKey":"%s"}""".formatted(user, title, collapseKey);
    }

    private static String jwt(String user) {
        return send("POST", stack.gatewayUrl() + "/dev/token", null, "{\"userId\":\"" + user + "\"}", 200)
                .path("token")
                .asString();
    }

    private static void registerFcmDevice(String jwt, String token) {
        send(
                "POST",
                stack.gatewayUrl() + "/v1/devices",
                "Bearer " + jwt,
                "{\"provider\":\"fcm\",\"token\":\"" + token + "\",\"platform\":\"android\",\"locale\":\"en-US\"}",
                201);
    }

    private static String publish(String event) {
        return call("POST", "/v1/events", event, 202).path("eventId").asString();
    }

    /** {@code method} on the gateway with the dev app's API key. */
    private static JsonNode call(String method, String path, String body, int status) {
        var request = HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
                .timeout(Duration.ofSeconds(15))
                .header("X-Api-Key", stack.apiKey());
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return exchange(request.build(), status);
    }

    private static JsonNode inbox(String jwt) {
        return send("GET", stack.gatewayUrl() + "/v1/inbox", "Bearer " + jwt, null, 200);
    }

    private static List<String> inboxIds(String jwt) {
        return inbox(jwt)
                .path("items")
                .valueStream()
                .map(item -> item.path("id").asString())
                .toList();
    }

    private static long unreadCount(String jwt) {
        return send("GET", stack.gatewayUrl() + "/v1/inbox/unread-count", "Bearer " + jwt, null, 200)
                .path("unreadCount")
                .asLong();
    }

    private static JsonNode awaitFcm(String token, Predicate<JsonNode> matching) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> stack.fcm().received().stream()
                                .map(FcmEmulator.Received::message)
                                .filter(m -> m.path("token").asString().equals(token))
                                .filter(matching)
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
    }

    private static JsonNode send(String method, String url, String authorization, String body, int status) {
        var request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return exchange(request.build(), status);
    }

    private static JsonNode exchange(HttpRequest request, int status) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode())
                    .as("%s %s answered %s", request.method(), request.uri(), response.body())
                    .isEqualTo(status);
            return HeraldJson.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A herald.v1 WebSocket of one user, keeping the frames it receives. */
    private static final class Socket implements WebSocket.Listener, AutoCloseable {

        private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Socket open(String jwt) throws Exception {
            var listener = new Socket();
            listener.socket = http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + jwt)
                    .buildAsync(URI.create(stack.webSocketUrl()), listener)
                    .get(10, TimeUnit.SECONDS);
            // Connected and past the resume window once it answers: notifications flow from here on.
            listener.await(f -> f.path("type").asString().equals("unread_count"));
            return listener;
        }

        /** The first frame received that matches. */
        JsonNode await(Predicate<JsonNode> matching) {
            return org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> frames.stream().filter(matching).findFirst(), Optional::isPresent)
                    .orElseThrow();
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(HeraldJson.mapper().readTree(partial.toString()));
                partial.setLength(0);
            }
            webSocket.request(1);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(5, TimeUnit.SECONDS);
        }
    }
}
