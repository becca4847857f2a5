package io.herald.fanout.inbox;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One notification in a user's inbox, as the internal API returns it.
 *
 * @param id the notification id ({@code UUIDv5(eventId, userId)})
 * @param type the domain event's type
 * @param title the rendered title
 * @param body the rendered body
 * @param data the string values the upstream app attached
 * @param read whether the user has read it
 * @param createdAt when the inbox stored it
 */
public record InboxItem(
        UUID id,
        String type,
        String title,
        String body,
        Map<String, String> data,
        boolean read,
        Instant createdAt,
        @Nullable Instant occurredAt) {}
