package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.HeraldJson;
import io.herald.testkit.expo.ExpoEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * Seed 002, the UniTrade marketplace on Expo ({@code shared/seeds/002_ebf21b650c08d6a5.txt}), moved to Herald: its
 * Django backend publishes one event per convenience function of {@code push_notifications.py} instead of posting to
 * Expo, with the same title, body and data, and the same {@code sound}, {@code badge} and {@code priority} every one of
 * its messages set. Its React Native app, unchanged, registered an {@code ExponentPushToken[…]} and navigates on its
 * own {@code data.type} ({@code order}, {@code message}, {@code payment}, {@code review}) with {@code orderId}, {@code
 * threadId} or {@code productId}: those must reach the device exactly as the backend sent them, whatever Herald event
 * type the backend chose (here named after its functions; none a built-in type, whose Android channel the app lacks).
 *
 * <p>The seed's file has its emoji garbled (UTF-8 read as Mac Roman: {@code üéâ}); its users saw 🎉, ✅ and ⭐.
 */
@ExtendWith(SharedDevStack.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class Seed002ExpoMarketplaceIT {

    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static DevStack stack;

    @BeforeAll
    static void useTheSharedStack(DevStack shared) {
        stack = shared;
    }

    /** One convenience function of the seed: the event its backend publishes, and the app's data. */
    private record Notify(String type, String title, String body, Map<String, String> data) {}

    @Test
    void eachNotificationReachesTheExpoAppWithTheBackendsWordsAndData() {
        var notifications = List.of(
                // notify_new_order(order)
                new Notify(
                        "new_order",
                        "New Order! \uD83C\uDF89",
                        "Amara ordered Calculus textbook",
                        Map.of("type", "order", "orderId", "1042")),
                // notify_order_status_update(order, 'shipped')
                new Notify(
                        "order_status_update",
                        "Order Update",
                        "Your order has been shipped",
                        Map.of("type", "order", "orderId", "1042")),
                // notify_new_message(recipient, sender, thread)
                new Notify(
                        "new_message",
                        "New message from Amara",
                        "Tap to view message",
                        Map.of("type", "message", "threadId", "77")),
                // notify_payment_confirmed(order)
                new Notify(
                        "payment_confirmation",
                        "Payment Confirmed \u2705",
                        "Payment for Calculus textbook was successful",
                        Map.of("type", "payment", "orderId", "1042")),
                // notify_new_review(product, review)
                new Notify(
                        "new_review",
                        "New Review \u2B50",
                        "Your product \"Calculus textbook\" received a 5-star review",
                        Map.of("type", "review", "productId", "310")));
        Map<Notify, String> tokens = new LinkedHashMap<>();
        for (Notify notify : notifications) {
            String user = "unitrade-" + UUID.randomUUID();
            // What the app's save_push_token stored: an Expo token from an Android phone.
            String token = "ExponentPushToken["
                    + UUID.randomUUID().toString().replace("-", "").substring(0, 22) + "]";
            registerExpoDevice(user, token);
            tokens.put(notify, token);
            publish(HeraldJson.mapper()
                    .writeValueAsString(Map.of(
                            "type", notify.type(),
                            "recipients", List.of(user),
                            "title", notify.title(),
                            "body", notify.body(),
                            "data", notify.data(),
                            "sound", "default",
                            "badge", 1,
                            "priority", "high")));
        }

        for (var sent : tokens.entrySet()) {
            Notify notify = sent.getKey();
            JsonNode message = awaitMessageFor(sent.getValue()).message();
            String as = notify.type();
            assertThat(message.path("title").asString()).as(as).isEqualTo(notify.title());
            assertThat(message.path("body").asString()).as(as).isEqualTo(notify.body());
            // The app's own keys, as its backend sent them: data.type is the app's, not the event's type.
            JsonNode data = message.path("data");
            notify.data().forEach((key, value) -> {
                assertThat(data.path(key).isString()).as("%s data.%s", as, key).isTrue();
                assertThat(data.path(key).asString()).as("%s data.%s", as, key).isEqualTo(value);
            });
            assertThat(message.path("sound").asString()).as(as).isEqualTo("default");
            assertThat(message.path("priority").asString()).as(as).isEqualTo("high");
            assertThat(message.path("badge").isInt()).as(as).isTrue();
            assertThat(message.path("badge").asInt()).as(as).isEqualTo(1);
            // The app made no Android channel of its own: a channelId it does not know would hide the notification.
            assertThat(message.has("channelId")).as(as).isFalse();
        }
    }

    private static void registerExpoDevice(String userId, String token) {
        JsonNode jwt = postJson(stack.gatewayUrl() + "/dev/token", null, null, "{\"userId\":\"" + userId + "\"}", 200);
        JsonNode device = postJson(
                stack.gatewayUrl() + "/v1/devices",
                "Authorization",
                "Bearer " + jwt.path("token").asString(),
                "{\"provider\":\"expo\",\"token\":\"" + token + "\",\"platform\":\"android\"}",
                201);
        assertThat(device.path("provider").asString()).isEqualTo("expo");
    }

    private static String publish(String event) {
        JsonNode accepted = postJson(stack.gatewayUrl() + "/v1/events", "X-Api-Key", stack.apiKey(), event, 202);
        return accepted.path("eventId").asString();
    }

    private static ExpoEmulator.Received awaitMessageFor(String token) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> stack.expo().received().stream()
                                .filter(r -> r.message().path("to").asString().equals(token))
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
    }

    private static JsonNode postJson(
            String url, String headerName, String headerValue, String body, int expectedStatus) {
        var request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headerName != null) {
            request.header(headerName, headerValue);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode())
                    .as("POST %s answered %s", url, response.body())
                    .isEqualTo(expectedStatus);
            return HeraldJson.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
