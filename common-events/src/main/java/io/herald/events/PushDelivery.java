package io.herald.events;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.herald.events.Change.Kind;
import java.time.Instant;
import java.util.List;
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
 * @param imageUrl an image to show with it, or {@code null}
 * @param link a deep link to open on a tap, or {@code null}
 * @param actions buttons on it, or {@code null}
 * @param category the iOS category / Android click action for its actions, or {@code null}
 * @param badge the app icon's badge, or {@code null} to leave it; {@link Badge#unread()} is resolved by dispatch
 * @param silent data only: wakes the app (FCM data message, APNs {@code content-available}), shows nothing
 * @param change {@code withdraw}: a silent push telling the app to clear {@link #notificationId()}; {@code update}:
 *     the notification again with new words, replacing it; {@code null} for a new notification
 * @param inApp whether the same notification went to the recipient's inbox too (it then counts in an unread
 *     badge even before the inbox has stored it)
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
        @Nullable String sound,
        @Nullable String imageUrl,
        @Nullable String link,
        @Nullable List<Action> actions,
        @Nullable String category,
        @Nullable Badge badge,
        @JsonSetter(nulls = Nulls.AS_EMPTY) boolean silent,
        @Nullable Kind change,
        @JsonSetter(nulls = Nulls.AS_EMPTY) boolean inApp) {

    public PushDelivery {
        data = data == null ? Map.of() : Map.copyOf(data);
        actions = actions == null ? null : List.copyOf(actions);
    }

    /** A plain notification: no rich fields, not silent, not a change, not in the inbox. */
    public PushDelivery(
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
        this(
                deliveryId,
                notificationId,
                eventId,
                schemaVersion,
                occurredAt,
                userId,
                type,
                provider,
                token,
                platform,
                title,
                body,
                data,
                priority,
                ttlSeconds,
                collapseKey,
                androidChannelId,
                sound,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                false);
    }
}
