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
