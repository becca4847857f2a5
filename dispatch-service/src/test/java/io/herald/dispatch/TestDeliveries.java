package io.herald.dispatch;

import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.Platform;
import io.herald.events.Priority;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A like notification for one device, as token-service would plan it. */
public final class TestDeliveries {

    private TestDeliveries() {}

    public static PushDelivery like(String user, String token, Provider provider) {
        UUID eventId = UUID.randomUUID();
        return new PushDelivery(
                Ids.deliveryId(eventId, user, token),
                Ids.notificationId(eventId, user),
                eventId,
                DomainEvent.SCHEMA_VERSION,
                Instant.parse("2026-11-24T10:00:00Z"),
                user,
                "product_like",
                provider,
                token,
                Platform.ANDROID,
                "Your product was liked",
                "Bob liked your product \"Red bike\"",
                Map.of("productId", "p-1", "count", "3"),
                Priority.HIGH,
                3600,
                "likes",
                "social",
                "default");
    }

    /**
     * A work assignment with every rich field: an image, a deep link, Accept/Decline actions in category {@code
     * WORK_ASSIGNMENT}, the sound {@code notificationtone.wav}, badge 7, also in the inbox.
     */
    public static PushDelivery rich(String user, String token, Provider provider) {
        PushDelivery d = like(user, token, provider);
        d = with(d, "imageUrl", "https://cdn.example.com/jobs/42.jpg");
        d = with(d, "link", "app://jobs/42");
        d = with(
                d,
                "actions",
                java.util.List.of(
                        Map.of("id", "accept", "title", "Accept"), Map.of("id", "decline", "title", "Decline")));
        d = with(d, "category", "WORK_ASSIGNMENT");
        d = with(d, "sound", "notificationtone.wav");
        d = with(d, "badge", 7);
        return with(d, "inApp", true);
    }

    /** A data-only push: {@code silent}, no title or body, as token-service plans one. */
    public static PushDelivery silent(String user, String token, Provider provider) {
        PushDelivery d = like(user, token, provider);
        d = with(d, "title", "");
        d = with(d, "body", "");
        d = with(d, "data", Map.of("sync", "messages", "threadId", "t-9"));
        return with(d, "silent", true);
    }

    /**
     * A withdrawal of {@code target}'s notification, as token-service plans one: silent, the target's notification
     * id, a delivery id of its own, the {@code herald.change} data.
     */
    public static PushDelivery withdraw(PushDelivery target) {
        UUID withdrawEvent = UUID.randomUUID();
        PushDelivery d = with(target, "deliveryId", Ids.deliveryId(withdrawEvent, target.userId(), target.token()));
        d = with(d, "eventId", withdrawEvent);
        d = with(d, "title", "");
        d = with(d, "body", "");
        d = with(
                d,
                "data",
                Map.of(
                        "herald.change",
                        "withdraw",
                        "herald.notificationId",
                        target.notificationId().toString()));
        d = with(d, "collapseKey", null);
        d = with(d, "silent", true);
        return with(d, "change", "withdraw");
    }

    /** {@code delivery} with {@code field} (its JSON name) set to {@code value}. */
    @SuppressWarnings("unchecked")
    public static PushDelivery with(PushDelivery delivery, String field, Object value) {
        var json = (Map<String, Object>) HeraldJson.mapper().convertValue(delivery, Map.class);
        json.put(field, value);
        return HeraldJson.mapper().convertValue(json, PushDelivery.class);
    }

    /** {@code delivery} with another collapse key ({@code null}: none). */
    public static PushDelivery withCollapseKey(PushDelivery d, @Nullable String collapseKey) {
        return new PushDelivery(
                d.deliveryId(),
                d.notificationId(),
                d.eventId(),
                d.schemaVersion(),
                d.occurredAt(),
                d.userId(),
                d.type(),
                d.provider(),
                d.token(),
                d.platform(),
                d.title(),
                d.body(),
                d.data(),
                d.priority(),
                d.ttlSeconds(),
                collapseKey,
                d.androidChannelId(),
                d.sound());
    }
}
