package io.herald.events;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Something happened in an upstream app that people may need to hear about: a like, a comment, a chat
 * message, a work assignment, a booking status change. Published on {@link Topics#EVENTS}, keyed by
 * {@link #eventId()}, as plain JSON that validates against {@code domain-event.schema.json}.
 *
 * @param eventId the idempotency key: the same id published twice is routed once
 * @param schemaVersion the version of this contract the producer wrote, currently {@value #SCHEMA_VERSION}
 * @param type what happened, such as {@code product_like} or {@code booking_status}; upstream apps may
 *     define their own types, which then need an explicit {@link #title()} and {@link #body()} or a
 *     configured template
 * @param source the upstream app that published the event
 * @param occurredAt when it happened in the upstream app
 * @param actor who caused it, or {@code null} for system events; the actor never hears of their own event
 * @param recipients the user ids who may hear about it (at least one, at most {@value #MAX_RECIPIENTS})
 * @param object what the event is about (a product, a service, an order), or {@code null}
 * @param data string values passed through to the app unchanged (FCM requires strings)
 * @param title an explicit title that wins over the type's template, or {@code null}
 * @param body an explicit body that wins over the type's template, or {@code null}
 * @param priority how urgently to deliver; {@code null} means the type's default
 * @param ttlSeconds how long a push may wait for an offline device, or {@code null} for the provider default
 * @param collapseKey a key under which newer pushes replace older undelivered ones, or {@code null}
 * @param channels the channels to use, or {@code null}/empty for all the recipient has not opted out of
 * @param imageUrl an image shown with the push (an {@code https} URL), or {@code null}
 * @param link a deep link the app opens when the notification is tapped, or {@code null}
 * @param actions buttons on the notification (at most {@value Action#MAX}), or {@code null}
 * @param category the notification category (iOS) or click action (Android) the app registered for the
 *     actions, or {@code null} for the event's type when it has actions
 * @param sound the sound to play, such as {@code notificationtone.wav}, or {@code null} for the type's
 * @param badge the app icon's badge, or {@code null} for the type's (none unless configured)
 * @param silent a data-only push that wakes the app without showing anything, and no inbox item
 * @param change what this event does to an earlier notification (withdraw or update), or {@code null} for a
 *     new notification
 * @param deliverAt when to route the event, or {@code null} to route it at once; an instant that is not later
 *     than the router's clock also routes it at once, a later one holds it durably until then (token-service's
 *     scheduled events) and it can be cancelled until it is due
 * @param deliverAtLocal a local date and time (no zone) at which each recipient gets the event in their own time
 *     zone (their preferences' {@code timeZone}, else their device's, else UTC), or {@code null}; never together
 *     with {@code deliverAt}
 * @param topics the topics (at most {@value #MAX_TOPICS}) whose subscribers hear about the event besides the listed
 *     {@code recipients}, or {@code null}; an event names recipients, topics, or both
 */
public record DomainEvent(
        UUID eventId,
        int schemaVersion,
        String type,
        String source,
        Instant occurredAt,
        @Nullable Actor actor,
        List<String> recipients,
        @Nullable EventObject object,
        Map<String, String> data,
        @Nullable String title,
        @Nullable String body,
        @Nullable Priority priority,
        @Nullable Integer ttlSeconds,
        @Nullable String collapseKey,
        @Nullable Set<Channel> channels,
        @Nullable String imageUrl,
        @Nullable String link,
        @Nullable List<Action> actions,
        @Nullable String category,
        @Nullable String sound,
        @Nullable Badge badge,
        @JsonSetter(nulls = Nulls.AS_EMPTY) boolean silent,
        @Nullable Change change,
        @Nullable Instant deliverAt,
        @Nullable LocalDateTime deliverAtLocal,
        @Nullable List<String> topics) {

    /** The schema version this library writes. */
    public static final int SCHEMA_VERSION = 1;

    /** The most recipients one event may name. */
    public static final int MAX_RECIPIENTS = 10_000;

    /** The most topics one event may name. */
    public static final int MAX_TOPICS = 10;

    public DomainEvent {
        recipients = recipients == null ? List.of() : List.copyOf(recipients);
        topics = topics == null || topics.isEmpty() ? null : List.copyOf(topics);
        data = data == null ? Map.of() : Map.copyOf(data);
        channels = channels == null ? null : Set.copyOf(channels);
        actions = actions == null ? null : List.copyOf(actions);
    }

    /** An event for listed recipients at one instant (or at once): the contract before local times and topics. */
    public DomainEvent(
            UUID eventId,
            int schemaVersion,
            String type,
            String source,
            Instant occurredAt,
            @Nullable Actor actor,
            List<String> recipients,
            @Nullable EventObject object,
            Map<String, String> data,
            @Nullable String title,
            @Nullable String body,
            @Nullable Priority priority,
            @Nullable Integer ttlSeconds,
            @Nullable String collapseKey,
            @Nullable Set<Channel> channels,
            @Nullable String imageUrl,
            @Nullable String link,
            @Nullable List<Action> actions,
            @Nullable String category,
            @Nullable String sound,
            @Nullable Badge badge,
            boolean silent,
            @Nullable Change change,
            @Nullable Instant deliverAt) {
        this(
                eventId,
                schemaVersion,
                type,
                source,
                occurredAt,
                actor,
                recipients,
                object,
                data,
                title,
                body,
                priority,
                ttlSeconds,
                collapseKey,
                channels,
                imageUrl,
                link,
                actions,
                category,
                sound,
                badge,
                silent,
                change,
                deliverAt,
                null,
                null);
    }

    /** An event routed at once (no {@link #deliverAt()}): the contract before scheduled delivery. */
    public DomainEvent(
            UUID eventId,
            int schemaVersion,
            String type,
            String source,
            Instant occurredAt,
            @Nullable Actor actor,
            List<String> recipients,
            @Nullable EventObject object,
            Map<String, String> data,
            @Nullable String title,
            @Nullable String body,
            @Nullable Priority priority,
            @Nullable Integer ttlSeconds,
            @Nullable String collapseKey,
            @Nullable Set<Channel> channels,
            @Nullable String imageUrl,
            @Nullable String link,
            @Nullable List<Action> actions,
            @Nullable String category,
            @Nullable String sound,
            @Nullable Badge badge,
            boolean silent,
            @Nullable Change change) {
        this(
                eventId,
                schemaVersion,
                type,
                source,
                occurredAt,
                actor,
                recipients,
                object,
                data,
                title,
                body,
                priority,
                ttlSeconds,
                collapseKey,
                channels,
                imageUrl,
                link,
                actions,
                category,
                sound,
                badge,
                silent,
                change,
                null);
    }

    /** A plain new notification: no rich fields, not silent, no change. */
    public DomainEvent(
            UUID eventId,
            int schemaVersion,
            String type,
            String source,
            Instant occurredAt,
            @Nullable Actor actor,
            List<String> recipients,
            @Nullable EventObject object,
            Map<String, String> data,
            @Nullable String title,
            @Nullable String body,
            @Nullable Priority priority,
            @Nullable Integer ttlSeconds,
            @Nullable String collapseKey,
            @Nullable Set<Channel> channels) {
        this(
                eventId,
                schemaVersion,
                type,
                source,
                occurredAt,
                actor,
                recipients,
                object,
                data,
                title,
                body,
                priority,
                ttlSeconds,
                collapseKey,
                channels,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                null);
    }

    /** This event with another id: the gateway uses it to assign one where the producer gave none. */
    public DomainEvent withEventId(UUID newEventId) {
        return new DomainEvent(
                newEventId,
                schemaVersion,
                type,
                source,
                occurredAt,
                actor,
                recipients,
                object,
                data,
                title,
                body,
                priority,
                ttlSeconds,
                collapseKey,
                channels,
                imageUrl,
                link,
                actions,
                category,
                sound,
                badge,
                silent,
                change,
                deliverAt,
                deliverAtLocal,
                topics);
    }

    /** This event for other recipients (and no topics): a part of it held or fanned out on its own. */
    public DomainEvent withRecipients(List<String> newRecipients) {
        return new DomainEvent(
                eventId,
                schemaVersion,
                type,
                source,
                occurredAt,
                actor,
                newRecipients,
                object,
                data,
                title,
                body,
                priority,
                ttlSeconds,
                collapseKey,
                channels,
                imageUrl,
                link,
                actions,
                category,
                sound,
                badge,
                silent,
                change,
                deliverAt,
                deliverAtLocal,
                null);
    }

    /** This event to be delivered at {@code instant} (no local time): how a part of it is held until then. */
    public DomainEvent withDeliverAt(@Nullable Instant instant) {
        return new DomainEvent(
                eventId,
                schemaVersion,
                type,
                source,
                occurredAt,
                actor,
                recipients,
                object,
                data,
                title,
                body,
                priority,
                ttlSeconds,
                collapseKey,
                channels,
                imageUrl,
                link,
                actions,
                category,
                sound,
                badge,
                silent,
                change,
                instant,
                null,
                topics);
    }

    /** This event on these channels only: how a push deferred past quiet hours is held apart from its in-app part. */
    public DomainEvent withChannels(@Nullable Set<Channel> newChannels) {
        return new DomainEvent(
                eventId,
                schemaVersion,
                type,
                source,
                occurredAt,
                actor,
                recipients,
                object,
                data,
                title,
                body,
                priority,
                ttlSeconds,
                collapseKey,
                newChannels,
                imageUrl,
                link,
                actions,
                category,
                sound,
                badge,
                silent,
                change,
                deliverAt,
                deliverAtLocal,
                topics);
    }

    /** Whether the event asks for this channel (an absent or empty set asks for every channel). */
    public boolean wants(Channel channel) {
        return channels == null || channels.isEmpty() || channels.contains(channel);
    }

    /**
     * Who caused the event.
     *
     * @param id the actor's user id in the upstream app
     * @param displayName how to name the actor in a notification, such as "Ada"
     */
    public record Actor(String id, @Nullable String displayName) {}

    /**
     * What the event is about.
     *
     * @param id the object's id in the upstream app
     * @param kind what sort of object it is, such as {@code product} or {@code order}
     * @param title how to name the object in a notification, such as "Blue bicycle"
     */
    public record EventObject(
            String id, @Nullable String kind, @Nullable String title) {}
}
