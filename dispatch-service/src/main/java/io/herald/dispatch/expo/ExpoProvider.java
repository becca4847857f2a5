package io.herald.dispatch.expo;

import io.herald.dispatch.delivery.PushContent;
import io.herald.dispatch.delivery.PushProvider;
import io.herald.dispatch.delivery.SendOutcome;
import io.herald.dispatch.delivery.UndeliverableException;
import io.herald.events.HeraldJson;
import io.herald.events.Priority;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Expo's push API over HTTP (there is no healthy Java SDK): one long-lived HTTP client; deliveries are
 * gathered into requests of up to {@code batch-size} (100) messages, a message waiting at most {@code
 * batch-linger} for company; bodies over {@code gzip-above} gzipped, the access token when configured. Tickets become outcomes: {@code ok} accepted;
 * {@code DeviceNotRegistered} a dead token; {@code MessageRateExceeded}, 429 and 5xx transient (with
 * {@code Retry-After}); anything else permanent.
 *
 * <p>Expo's message has no field that makes a push replace an earlier one (nothing like FCM's {@code tag} or
 * APNs' {@code apns-collapse-id}): a delivery sent twice — an instance died between sending it and recording
 * it — shows twice, an update shows as a second notification, and a withdrawal is a background push whose data
 * ({@code herald.change}, {@code herald.notificationId}) the app acts on itself.
 */
@Component
class ExpoProvider implements PushProvider, DisposableBean {

    /** A delivery waiting for its request, its message already written as JSON. */
    @SuppressWarnings("ArrayRecordComponent") // never compared or hashed as a whole
    private record Pending(byte[] json, CompletableFuture<SendOutcome> outcome) {}

    private final ExpoProperties properties;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI send;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("expo-batches").daemon().factory());
    private List<Pending> queued = new ArrayList<>();
    private @Nullable ScheduledFuture<?> lingering;

    ExpoProvider(ExpoProperties properties) {
        this.properties = properties;
        this.send = properties.baseUrl().resolve("/--/api/v2/push/send");
    }

    @Override
    public Provider provider() {
        return Provider.EXPO;
    }

    @Override
    public CompletableFuture<SendOutcome> send(PushDelivery delivery) {
        if (!properties.enabled()) {
            throw new UndeliverableException(
                    "provider-disabled", "Expo is disabled (herald.dispatch.expo.enabled=false)");
        }
        // Written now, so that a message that cannot be written fails its own send, not the request it would share.
        var pending = new Pending(HeraldJson.mapper().writeValueAsBytes(message(delivery)), new CompletableFuture<>());
        List<Pending> full = null;
        synchronized (this) {
            queued.add(pending);
            if (queued.size() >= properties.batchSize()) {
                full = takeQueued();
            } else if (queued.size() == 1) {
                lingering = timer.schedule(
                        this::flushQueued, properties.batchLinger().toNanos(), TimeUnit.NANOSECONDS);
            }
        }
        if (full != null) {
            post(full);
        }
        return pending.outcome();
    }

    /** The rest of the poll is queued: no use waiting {@code batch-linger} for company. */
    @Override
    public void flush() {
        flushQueued();
    }

    private void flushQueued() {
        List<Pending> batch;
        synchronized (this) {
            batch = takeQueued();
        }
        if (!batch.isEmpty()) {
            post(batch);
        }
    }

    private List<Pending> takeQueued() {
        List<Pending> batch = queued;
        queued = new ArrayList<>(properties.batchSize());
        if (lingering != null) {
            lingering.cancel(false);
            lingering = null;
        }
        return batch;
    }

    /** One push request for up to 100 deliveries; each gets the outcome of its own ticket. */
    private void post(List<Pending> batch) {
        try {
            postNow(batch);
        } catch (RuntimeException e) {
            // The request could not even be made (a bad header setting, a client shut down): each send says so.
            batch.forEach(p -> p.outcome().completeExceptionally(e));
        }
    }

    private void postNow(List<Pending> batch) {
        byte[] json = array(batch);
        var request = HttpRequest.newBuilder(send)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json");
        if (properties.accessToken() != null && !properties.accessToken().isBlank()) {
            request.header("Authorization", "Bearer " + properties.accessToken());
        }
        if (json.length > properties.gzipAbove().toBytes()) {
            request.header("Content-Encoding", "gzip");
            json = gzip(json);
        }
        http.sendAsync(
                        request.POST(HttpRequest.BodyPublishers.ofByteArray(json))
                                .build(),
                        BodyHandlers.ofString())
                .whenComplete((response, failure) -> {
                    List<SendOutcome> outcomes = failure != null ? null : outcomes(response, batch.size());
                    for (int i = 0; i < batch.size(); i++) {
                        batch.get(i)
                                .outcome()
                                .complete(
                                        outcomes == null
                                                ? new SendOutcome.Failed(
                                                        "IO", String.valueOf(failure.getMessage()), null)
                                                : outcomes.get(i));
                    }
                });
    }

    @Override
    public void destroy() {
        flushQueued();
        timer.shutdown();
    }

    /** The messages as one JSON array. */
    private static byte[] array(List<Pending> batch) {
        int size = 2;
        for (Pending pending : batch) {
            size += pending.json().length + 1;
        }
        var out = new ByteArrayOutputStream(size);
        out.write('[');
        for (int i = 0; i < batch.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(batch.get(i).json());
        }
        out.write(']');
        return out.toByteArray();
    }

    /**
     * One Expo message for one delivery: {@code to}, {@code data} ({@link PushContent#data the delivery's}, the link
     * and actions added), {@code priority} and {@code ttl}; a notification adds {@code title}, {@code body}, {@code
     * sound}, {@code badge}, {@code channelId}, {@code categoryId} (the category the app registered with {@code
     * setNotificationCategoryAsync}), and {@code richContent.image} with {@code mutableContent: true} (an iOS
     * notification service extension shows it). A silent push (and every withdrawal) has no title, body, sound or
     * badge, sets {@code _contentAvailable: true}, Expo's background notification, and goes with priority {@code
     * normal} (APNs accepts a background push only at priority 5).
     */
    static Map<String, Object> message(PushDelivery delivery) {
        var message = new LinkedHashMap<String, Object>();
        boolean silent = PushContent.silent(delivery);
        message.put("to", delivery.token());
        if (!silent) {
            message.put("title", delivery.title());
            message.put("body", delivery.body());
        }
        message.put("data", PushContent.data(delivery));
        // Expo passes "high" to APNs as apns-priority 10, which Apple refuses for a background (content-available)
        // push: a silent push goes as "normal", priority 5.
        message.put("priority", !silent && delivery.priority() == Priority.HIGH ? "high" : "normal");
        if (delivery.ttlSeconds() != null) {
            message.put("ttl", delivery.ttlSeconds());
        }
        if (silent) {
            message.put("_contentAvailable", true);
            return message;
        }
        if (delivery.sound() != null) {
            message.put("sound", delivery.sound());
        }
        Integer badge = PushContent.badge(delivery);
        if (badge != null) {
            message.put("badge", badge);
        }
        if (delivery.androidChannelId() != null) {
            message.put("channelId", delivery.androidChannelId());
        }
        String category = PushContent.present(delivery.category());
        if (category != null) {
            message.put("categoryId", category);
        }
        String image = PushContent.present(delivery.imageUrl());
        if (image != null) {
            message.put("richContent", Map.of("image", image));
            message.put("mutableContent", true);
        }
        return message;
    }

    /** The outcome of each of the request's {@code count} messages, in order. */
    static List<SendOutcome> outcomes(HttpResponse<String> response, int count) {
        int status = response.statusCode();
        Duration retryAfter = response.headers()
                .firstValue("Retry-After")
                .flatMap(ExpoProvider::seconds)
                .orElse(null);
        JsonNode body;
        try {
            body = HeraldJson.mapper().readTree(response.body());
        } catch (RuntimeException e) {
            body = HeraldJson.mapper().createObjectNode();
        }
        SendOutcome forAll = null;
        if (status == 429 || status >= 500) {
            forAll = new SendOutcome.Failed(errorCode(body, "HTTP_" + status), "Expo answered " + status, retryAfter);
        } else if (status != 200) {
            forAll = new SendOutcome.Rejected(errorCode(body, "HTTP_" + status), "Expo answered " + status, false);
        } else if (!body.path("data").isArray() || body.path("data").size() != count) {
            forAll = new SendOutcome.Failed("BAD_RESPONSE", "Expo answered without a ticket per message", null);
        }
        List<SendOutcome> outcomes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            outcomes.add(forAll != null ? forAll : ticket(body.path("data").path(i), retryAfter));
        }
        return outcomes;
    }

    private static SendOutcome ticket(JsonNode ticket, @Nullable Duration retryAfter) {
        if ("ok".equals(ticket.path("status").asString(""))) {
            return new SendOutcome.Accepted(ticket.path("id").asString(""));
        }
        String error = ticket.path("details").path("error").asString("Unknown");
        String reason = ticket.path("message").asString("");
        return switch (error) {
            case "DeviceNotRegistered" -> new SendOutcome.Rejected(error, reason, true);
            case "MessageRateExceeded" -> new SendOutcome.Failed(error, reason, retryAfter);
            default -> new SendOutcome.Rejected(error, reason, false);
        };
    }

    private static String errorCode(JsonNode body, String fallback) {
        return body.path("errors").path(0).path("code").asString(fallback);
    }

    private static Optional<Duration> seconds(String value) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static byte[] gzip(byte[] bytes) {
        var out = new ByteArrayOutputStream(bytes.length / 2);
        try (var zip = new GZIPOutputStream(out)) {
            zip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
