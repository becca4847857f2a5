package io.herald.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One push notification for one device, rendered and ready to send. Published by token-service on {@link
 * Topics#PUSH}, keyed by {@link #userId()}; dispatch-service sends it and does not send the same {@link
 * #deliveryId()} twice.
 *
 * @param deliveryId {@code UUIDv5(eventId, userId, token)}, see {@link Ids#deliveryId}
 * @param notificationId {@code UUIDv5(eventId, userId)}, see {@link Ids#notificationId}
 * @param eventId the {@link DomainEvent} this delivery came from
 * @param schemaVersion the version of this contract, currently {@value DomainEvent#SCHEMA_VERSION}
 * @param occurredAt when the domain event happened
 * @param userId the recipient
 * @param type the domain event's type
 * @param provider which provider the token belongs to
 * @param token the provider's device token (for FCM, a registration token or a Firebase Installation ID)
 * @param platform the device's platform
 * @param title the rendered title
 * @param body the rendered body
 * @param data string values for the app
 * @param priority how urgently to deliver
 * @param ttlSeconds how long the provider may hold it for an offline device, or {@code null}
 * @param collapseKey the collapse key, or {@code null}
 * @param androidChannelId the Android notification channel, or {@code null} for the app's default
 * @param sound the sound to play, or {@code null} for a silent notification
 */
public record PushDelivery(
        UUID deliveryId,
        UUID notificationId,
        UUID eventId,
        int schemaVersion,
        Instant occurredAt,
        String userId,
        String type,
        Provider provider,
        String token,
        @Nullable Platform platform,
        String title,
        String body,
        Map<String, String> data,
        Priority priority,
        @Nullable Integer ttlSeconds,
        @Nullable String collapseKey,
        @Nullable String androidChannelId,
        @Nullable String sound) {

    public PushDelivery {
        data = data == null ? Map.of() : Map.copyOf(data);
    }
}
