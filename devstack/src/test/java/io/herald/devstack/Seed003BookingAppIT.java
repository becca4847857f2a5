package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.HeraldJson;
import io.herald.testkit.TestHttp;
import io.herald.testkit.apns.ApnsEmulator;
import io.herald.testkit.expo.ExpoEmulator;
import io.herald.testkit.fcm.FcmEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * Seed 003 ({@code /work/shared/seeds/003_6a621f7378bb46f0.txt}), the booking app "My Car Buddy" on FCM, Expo and
 * APNs, played as its clients and backend do: the customer's phone registers its FCM, Expo and APNs tokens; the
 * backend sends "Technician Assigned!" and then each booking status (StartJourney, Reached, StartService, Completed,
 * Cancelled) with its own title and body, the data its app reads ({@code type}, {@code bookingId}, {@code trackId},
 * {@code techName}, {@code status}, {@code priority}, {@code click_action: FLUTTER_NOTIFICATION_CLICK}), its sound
 * {@code notificationtone.wav} and badge 1. Each provider gets the seed's texts, the data keys as the app sent them,
 * the sound and the badge in its own format; and the app's notification history of the customer ({@code GET
 * /v1/users/{userId}/notifications}, the seed's {@code notification_history}) lists them newest first, with what
 * became of each on each channel.
 */
@ExtendWith(SharedDevStack.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class Seed003BookingAppIT {

    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final String SOUND = "notificationtone.wav";
    private static final String TRACK_ID = "BID123";
    private static final String BOOKING_ID = "456";
    private static final String TECH = "John";

    /** What the seed's backend sends, in order: the type its data carries, title, body, status, data priority. */
    private record Sent(String dataType, String title, String body, String status, String priority) {}

    /**
     * The seed's texts: {@code assignTechnician}'s, then {@code statusMessages} with {@code (Booking: <trackId>)}
     * appended to each body, and {@code priority} high for Reached, StartService and Completed.
     */
    private static final List<Sent> SEED = List.of(
            new Sent(
                    "technician_assigned",
                    "Technician Assigned! 🚗",
                    TECH + " has been assigned to your booking " + TRACK_ID + ". They will contact you soon.",
                    null,
                    "high"),
            status(
                    "StartJourney",
                    "Technician is on the way! 🚗",
                    TECH + " has started the journey to your location.",
                    "normal"),
            status(
                    "Reached",
                    "Technician has arrived! ✅",
                    TECH + " has reached your location and is ready to start.",
                    "high"),
            status("StartService", "Service Started! 🔧", TECH + " has begun working on your vehicle.", "high"),
            status(
                    "Completed",
                    "Service Completed! 🎉",
                    "Your vehicle service has been completed successfully.",
                    "high"),
            status("Cancelled", "Booking Cancelled ❌", "Your service booking has been cancelled.", "normal"));

    private static Sent status(String status, String title, String body, String priority) {
        return new Sent(
                status.toLowerCase(java.util.Locale.ROOT),
                title,
                body + " (Booking: " + TRACK_ID + ")",
                status,
                priority);
    }

    private static DevStack stack;

    @BeforeAll
    static void useTheSharedStack(DevStack shared) {
        stack = shared;
    }

    @Test
    void theCustomerGetsEveryBookingUpdateOnFcmExpoAndApnsAndTheAppSeesItsHistory() {
        // The customer's phone: POST /api/Push/register with fcmToken and expoPushToken, and on iOS its APNs token.
        String customer = "customer-123-" + UUID.randomUUID();
        String fcmToken = "fcm-" + UUID.randomUUID();
        String expoToken = "ExponentPushToken[" + UUID.randomUUID() + "]";
        String apnsToken = HexFormat.of().formatHex(random(32));
        String bearer = devJwt(customer);
        String fcmDevice = register(bearer, "fcm", fcmToken, "android");
        String expoDevice = register(bearer, "expo", expoToken, "android");
        String apnsDevice = register(bearer, "apns", apnsToken, "ios");

        // The backend: assignTechnician, then updateBookingStatus through every status, one at a time — each a
        // step of the booking, stored before the next happens (the history lists them newest first by when Herald
        // stored each; events of one user published in the same millisecond may be routed in either order).
        List<String> eventIds = new ArrayList<>();
        for (Sent sent : SEED) {
            String eventId = publish(customer, sent);
            eventIds.add(eventId);
            await().atMost(Duration.ofSeconds(60))
                    .ignoreExceptions() // 404 until it is known
                    .until(
                            () -> get("/v1/events/" + eventId)
                                    .path("deliveries")
                                    .findValuesAsString("outcome"),
                            outcomes -> outcomes.contains("stored"));
        }

        // What each provider got: checked softly, so that every difference from the seed is reported at once.
        var softly = new SoftAssertions();
        for (int i = 0; i < SEED.size(); i++) {
            Sent sent = SEED.get(i);
            Map<String, String> data = data(sent);

            JsonNode fcm = awaitFcm(fcmToken, sent.title()).message();
            softly.assertThat(fcm.path("notification").path("body").asString())
                    .as("FCM body")
                    .isEqualTo(sent.body());
            softly.assertThat(strings(fcm.path("data")))
                    .as("FCM data of " + sent.dataType())
                    .containsAllEntriesOf(data);
            softly.assertThat(fcm.path("android")
                            .path("notification")
                            .path("sound")
                            .asString())
                    .as("FCM Android sound of %s", sent.dataType())
                    .isEqualTo(SOUND);
            JsonNode fcmAps = fcm.path("apns").path("payload").path("aps");
            softly.assertThat(fcmAps.path("sound").asString())
                    .as("FCM's APNs sound of %s", sent.dataType())
                    .isEqualTo(SOUND);
            softly.assertThat(fcmAps.path("badge").asInt(-1))
                    .as("FCM's APNs badge of %s", sent.dataType())
                    .isEqualTo(1);

            JsonNode expo = awaitExpo(expoToken, sent.title()).message();
            softly.assertThat(expo.path("body").asString()).as("Expo body").isEqualTo(sent.body());
            softly.assertThat(strings(expo.path("data")))
                    .as("Expo data of " + sent.dataType())
                    .containsAllEntriesOf(data);
            softly.assertThat(expo.path("sound").asString())
                    .as("Expo sound of %s", sent.dataType())
                    .isEqualTo(SOUND);
            softly.assertThat(expo.path("badge").asInt(-1))
                    .as("Expo badge of %s", sent.dataType())
                    .isEqualTo(1);

            JsonNode apns = awaitApns(apnsToken, sent.title());
            JsonNode aps = apns.path("aps");
            softly.assertThat(aps.path("alert").path("body").asString())
                    .as("APNs body")
                    .isEqualTo(sent.body());
            softly.assertThat(aps.path("sound").asString())
                    .as("APNs sound of %s", sent.dataType())
                    .isEqualTo(SOUND);
            softly.assertThat(aps.path("badge").asInt(-1))
                    .as("APNs badge of %s", sent.dataType())
                    .isEqualTo(1);
            softly.assertThat(strings(apns))
                    .as("APNs custom keys of " + sent.dataType())
                    .containsAllEntriesOf(data);
        }

        // The app's notification history of the customer: newest first, each channel's outcome once known.
        String history = "/v1/users/" + TestHttp.pathSegment(customer) + "/notifications";
        JsonNode page = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> get(history),
                        p -> p.path("notifications").size() == SEED.size()
                                && p.path("notifications").findValues("channels").stream()
                                        .allMatch(Seed003BookingAppIT::settled));
        assertThat(page.path("userId").asString()).isEqualTo(customer);
        assertThat(page.path("notifications").findValuesAsString("eventId"))
                .containsExactlyElementsOf(eventIds.reversed());
        assertThat(page.path("notifications").findValuesAsString("title"))
                .containsExactlyElementsOf(
                        SEED.reversed().stream().map(Sent::title).toList());
        assertThat(page.path("notifications").findValuesAsString("body"))
                .containsExactlyElementsOf(
                        SEED.reversed().stream().map(Sent::body).toList());
        assertThat(page.path("next").isNull()).isTrue();
        for (JsonNode notification : page.path("notifications")) {
            assertThat(notification.path("channels"))
                    .as(notification.path("title").asString())
                    .extracting(c -> c.path("channel").asString() + "/"
                            + c.path("provider").asString("-") + "/"
                            + c.path("deviceId").asString("-") + ": "
                            + c.path("outcome").asString())
                    .containsExactly(
                            // The inbox row: stored (read once the app marks it; the app has no socket open).
                            "inapp/-/-: stored",
                            "push/apns/" + apnsDevice + ": sent",
                            "push/expo/" + expoDevice + ": sent",
                            "push/fcm/" + fcmDevice + ": sent");
        }

        // Paging: the four newest, then the rest.
        JsonNode first = get(history + "?limit=4");
        assertThat(first.path("notifications").findValuesAsString("eventId"))
                .containsExactlyElementsOf(eventIds.reversed().subList(0, 4));
        JsonNode rest = get(history + "?limit=4&before=" + first.path("next").asString());
        assertThat(rest.path("notifications").findValuesAsString("eventId"))
                .containsExactlyElementsOf(eventIds.reversed().subList(4, 6));
        assertThat(rest.path("next").isNull()).isTrue();

        // A bad parameter is a problem naming it; without the app's key, nothing.
        HttpResponse<String> bad = call(history + "?limit=1000", stack.apiKey());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(json(bad).path("field").asString()).isEqualTo("limit");
        assertThat(call(history, "hk_not_a_key").statusCode()).isEqualTo(401);
        softly.assertAll();
    }

    /** The inbox and three pushes, each push answered by its provider. */
    private static boolean settled(JsonNode channels) {
        if (channels.size() != 4) {
            return false;
        }
        for (JsonNode channel : channels) {
            if (channel.path("channel").asString().equals("push")
                    && channel.path("outcome").asString().equals("planned")) {
                return false;
            }
        }
        return true;
    }

    /** The data the seed's backend sends with a notification, and the click action its FCM messages add. */
    private static Map<String, String> data(Sent sent) {
        var data = new LinkedHashMap<String, String>();
        data.put("type", sent.dataType());
        data.put("bookingId", BOOKING_ID);
        data.put("trackId", TRACK_ID);
        if (sent.status() != null) {
            data.put("status", sent.status());
        }
        data.put("techName", TECH);
        data.put("priority", sent.priority());
        data.put("click_action", "FLUTTER_NOTIFICATION_CLICK");
        return data;
    }

    /**
     * Publishes what {@code sendToCustomer} sends: the app's own title and body, its data, its sound and badge 1;
     * the event type Herald knows ({@code technician_assigned}, {@code booking_status}).
     */
    private static String publish(String customer, Sent sent) {
        var event = new LinkedHashMap<String, Object>();
        event.put("type", sent.status() == null ? "technician_assigned" : "booking_status");
        event.put("recipients", List.of(customer));
        event.put("title", sent.title());
        event.put("body", sent.body());
        event.put("data", data(sent));
        event.put("priority", "high".equals(sent.priority()) ? "high" : "normal");
        event.put("sound", SOUND);
        event.put("badge", 1);
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/events"))
                .header("Content-Type", "application/json")
                .header("X-Api-Key", stack.apiKey())
                .POST(HttpRequest.BodyPublishers.ofString(HeraldJson.mapper().writeValueAsString(event)))
                .build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return json(response).path("eventId").asString();
    }

    private static String devJwt(String user) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/dev/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        HeraldJson.mapper().writeValueAsString(Map.of("userId", user))))
                .build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response).path("token").asString();
    }

    private static String register(String bearer, String provider, String token, String platform) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/devices"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + bearer)
                .POST(HttpRequest.BodyPublishers.ofString(HeraldJson.mapper()
                        .writeValueAsString(Map.of("provider", provider, "token", token, "platform", platform))))
                .build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return json(response).path("deviceId").asString();
    }

    private static FcmEmulator.Received awaitFcm(String token, String title) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> stack.fcm().received().stream()
                                .filter(r ->
                                        r.message().path("token").asString().equals(token)
                                                && r.message()
                                                        .path("notification")
                                                        .path("title")
                                                        .asString()
                                                        .equals(title))
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
    }

    private static ExpoEmulator.Received awaitExpo(String token, String title) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> stack.expo().received().stream()
                                .filter(r -> r.message().path("to").asString().equals(token)
                                        && r.message().path("title").asString().equals(title))
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
    }

    /** The payload of the APNs notification to {@code token} with this title. */
    private static JsonNode awaitApns(String token, String title) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> stack.apns().received().stream()
                                .filter(r -> r.token().equals(token))
                                .map(ApnsEmulator.Received::payload)
                                .map(p -> HeraldJson.mapper().readTree(p))
                                .filter(p -> p.path("aps")
                                        .path("alert")
                                        .path("title")
                                        .asString()
                                        .equals(title))
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
    }

    /** An object's string-valued members (a payload's other members left out). */
    private static Map<String, String> strings(JsonNode object) {
        var strings = new LinkedHashMap<String, String>();
        object.properties().forEach(e -> {
            if (e.getValue().isString()) {
                strings.put(e.getKey(), e.getValue().asString());
            }
        });
        return strings;
    }

    private static JsonNode get(String path) {
        HttpResponse<String> response = call(path, stack.apiKey());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    private static HttpResponse<String> call(String path, String apiKey) {
        return send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
                .header("X-Api-Key", apiKey)
                .timeout(Duration.ofSeconds(15))
                .GET()
                .build());
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

    private static JsonNode json(HttpResponse<String> response) {
        return HeraldJson.mapper().readTree(response.body());
    }

    private static byte[] random(int n) {
        byte[] bytes = new byte[n];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
