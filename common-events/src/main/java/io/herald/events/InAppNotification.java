package io.herald.events;

import io.herald.events.Change.Kind;
import io.herald.events.DomainEvent.Actor;
import io.herald.events.DomainEvent.EventObject;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One in-app notification for one recipient: an inbox entry and, where the user has a socket open, a live
 * message. Published by token-service on {@link Topics#INAPP}, keyed by {@link #userId()}; the inbox upserts
 * on {@link #notificationId()}.
 *
 * @param notificationId {@code UUIDv5(eventId, userId)}, see {@link Ids#notificationId}
 * @param eventId the {@link DomainEvent} it came from
 * @param schemaVersion the version of this contract, currently {@value DomainEvent#SCHEMA_VERSION}
 * @param occurredAt when the domain event happened
 * @param userId the recipient
 * @param type the domain event's type
 * @param title the rendered title
 * @param body the rendered body
 * @param data string values for the app
 * @param actor who caused it, or {@code null}
 * @param object what it is about, or {@code null}
 * @param source the upstream app that published the event, or {@code null} in records written before it was kept
 * @param link a deep link to open on a tap, or {@code null}
 * @param imageUrl an image to show with it, or {@code null}
 * @param collapseKey the event's collapse key, or {@code null}; a withdraw by collapse key names it
 * @param change {@code withdraw}: remove {@link #notificationId()} (or, with a {@link #collapseKey()}, every item
 *     of the user with that key) from the inbox and tell open sockets; {@code update}: replace the title and body
 *     of {@link #notificationId()} where it is; {@code null} for a new notification
 */
public record InAppNotification(
        UUID notificationId,
        UUID eventId,
        int schemaVersion,
        Instant occurredAt,
        String userId,
        String type,
        String title,
        String body,
        Map<String, String> data,
        // Simple names, not DomainEvent.@Nullable Actor: javac 25 drops a qualified type's @Nullable from the
        // compact constructor's parameters in the class file, so callers in other modules would not see it.
        @Nullable Actor actor,
        @Nullable EventObject object,
        @Nullable String source,
        @Nullable String link,
        @Nullable String imageUrl,
        @Nullable String collapseKey,
        @Nullable Kind change) {

    public InAppNotification {
        data = data == null ? Map.of() : Map.copyOf(data);
    }

    /** A new notification without source, link, image or collapse key. */
    public InAppNotification(
            UUID notificationId,
            UUID eventId,
            int schemaVersion,
            Instant occurredAt,
            String userId,
            String type,
            String title,
            String body,
            Map<String, String> data,
            @Nullable Actor actor,
            @Nullable EventObject object) {
        this(
                notificationId,
                eventId,
                schemaVersion,
                occurredAt,
                userId,
                type,
                title,
                body,
                data,
                actor,
                object,
                null,
                null,
                null,
                null,
                null);
    }
}
