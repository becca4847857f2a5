package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.HeraldJson;
import io.herald.testkit.fcm.FcmEmulator;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Seed 000, the Django marketplace on FCM ({@code shared/seeds/000_93aa13fd494ded4e.txt}), moved to Herald: its
 * backend publishes one event per handler of the seed's section 4 instead of calling {@code send_multicast}, and its
 * Flutter app, unchanged, reads what the seed's backend sent: the notification's title and body, {@code data.type}
 * and {@code data.object_id} (strings), on Android the channel {@code general_notifications} with the default sound
 * at high priority, on iOS the default sound and a badge of 1.
 *
 * <p>The operator configures the app's templates as the seed's {@code MulticastMessage} did, once for every type
 * (below); the words are Herald's built-in ones, which are the seed's. A stack of its own, since its settings are not
 * the shared stack's.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class Seed000DjangoFcmMarketplaceIT {

    /** The notification types of the seed's Flutter app (its "Notification Types"). */
    private static final List<String> TYPES = List.of(
            "chat",
            "product_like",
            "service_like",
            "service_comment",
            "recommended_product",
            "recommended_service",
            "real_estate");

    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static DevStack stack;

    @BeforeAll
    static void startTheMarketplacesHerald() {
        Map<String, String> templates = new LinkedHashMap<>();
        for (String type : TYPES) {
            String entry = "herald.token.templates[" + type + "][en].";
            templates.put(entry + "android-channel", "general_notifications");
            templates.put(entry + "priority", "high");
            templates.put(entry + "sound", "default");
            templates.put(entry + "badge", "1");
        }
        stack = DevStack.start(DevStack.Ports.ephemeral(), Map.of("token-service", templates));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** One handler of the seed's section 4: what its backend publishes, and what its app must read. */
    private record Handler(String type, String event, String objectId, String title, String body) {}

    @Test
    void eachHandlersPushReachesTheFlutterAppAsTheDjangoBackendSentIt() {
        var handlers = List.of(
                // 4.1 send_chat_message(sender, recipient, message_text, chat_room_id)
                new Handler("chat", """
                        "actor":{"id":"u-17","displayName":"sam_k"},"object":{"id":"75","kind":"chat_room"},
                        "data":{"message":"Is the bike still for sale?"}""", "75", "New message", "sam_k: Is the bike still for sale?"),
                // 4.2 like_product(user, product)
                new Handler(
                        "product_like", """
                        "actor":{"id":"u-17","displayName":"sam_k"},
                        "object":{"id":"431","kind":"product","title":"Red bike"}""", "431", "Your product was liked", "sam_k liked your product \"Red bike\""),
                // 4.3 like_service(user, service)
                new Handler(
                        "service_like",
                        """
                        "actor":{"id":"u-17","displayName":"sam_k"},
                        "object":{"id":"88","kind":"service","title":"Bike repair"}""",
                        "88",
                        "Your service was liked",
                        "sam_k liked your service \"Bike repair\""),
                // 4.4 create_comment(user, service, comment_text)
                new Handler(
                        "service_comment",
                        """
                        "actor":{"id":"u-17","displayName":"sam_k"},
                        "object":{"id":"88","kind":"service","title":"Bike repair"},
                        "data":{"comment":"Do you fix e-bikes?"}""",
                        "88",
                        "New comment on your service",
                        "sam_k commented on your service \"Bike repair\""),
                // 4.5 recommend_product_to_user(user, product): no actor
                new Handler(
                        "recommended_product", """
                        "object":{"id":"502","kind":"product","title":"Blue lamp"}""", "502", "Recommended for you", "Check out this product: Blue lamp"));
        Map<Handler, String> tokens = new LinkedHashMap<>();
        for (Handler handler : handlers) {
            String owner = "owner-" + UUID.randomUUID();
            // The Flutter app's FCM registration token, registered as the app's DeviceToken was.
            String token = "fcm-" + UUID.randomUUID() + ":APA91b" + UUID.randomUUID();
            registerFcmDevice(owner, token);
            tokens.put(handler, token);
            publish("{\"type\":\"" + handler.type() + "\",\"recipients\":[\"" + owner + "\"]," + handler.event() + "}");
        }

        for (var sent : tokens.entrySet()) {
            Handler handler = sent.getKey();
            JsonNode message = awaitMessageFor(sent.getValue()).message();
            String as = handler.type();
            assertThat(message.path("notification").path("title").asString())
                    .as(as)
                    .isEqualTo(handler.title());
            assertThat(message.path("notification").path("body").asString())
                    .as(as)
                    .isEqualTo(handler.body());
            // The app navigates on these two, as strings.
            JsonNode data = message.path("data");
            assertThat(data.path("type").isString()).as(as).isTrue();
            assertThat(data.path("type").asString()).as(as).isEqualTo(handler.type());
            assertThat(data.path("object_id").isString()).as(as).isTrue();
            assertThat(data.path("object_id").asString()).as(as).isEqualTo(handler.objectId());
            JsonNode android = message.path("android");
            assertThat(android.path("priority").asString()).as(as).isEqualToIgnoringCase("high");
            assertThat(android.path("notification").path("channel_id").asString())
                    .as(as)
                    .isEqualTo("general_notifications");
            assertThat(android.path("notification").path("sound").asString())
                    .as(as)
                    .isEqualTo("default");
            JsonNode aps = message.path("apns").path("payload").path("aps");
            assertThat(aps.path("sound").asString()).as(as).isEqualTo("default");
            assertThat(aps.path("badge").isInt()).as(as).isTrue();
            assertThat(aps.path("badge").asInt()).as(as).isEqualTo(1);
        }
    }

    private static void registerFcmDevice(String userId, String token) {
        JsonNode jwt = postJson(stack.gatewayUrl() + "/dev/token", null, null, "{\"userId\":\"" + userId + "\"}", 200);
        postJson(
                stack.gatewayUrl() + "/v1/devices",
                "Authorization",
                "Bearer " + jwt.path("token").asString(),
                "{\"provider\":\"fcm\",\"token\":\"" + token + "\",\"platform\":\"android\"}",
                201);
    }

    private static String publish(String event) {
        JsonNode accepted = postJson(stack.gatewayUrl() + "/v1/events", "X-Api-Key", stack.apiKey(), event, 202);
        return accepted.path("eventId").asString();
    }

    private static FcmEmulator.Received awaitMessageFor(String token) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> stack.fcm().received().stream()
                                .filter(r ->
                                        r.message().path("token").asString().equals(token))
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
