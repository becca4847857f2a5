package io.herald.fanout.inbox;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One inbox row as the internal APIs of token-service's delivery log and history return it ({@link
 * InboxRowsController}).
 *
 * @param eventId the event the notification came from
 * @param notificationId its id (see {@link io.herald.events.Ids#notificationId})
 * @param source the app that sent it, or {@code null} for rows stored before sources were kept
 * @param userId its recipient
 * @param type the event's type
 * @param title the rendered title (an update replaces it)
 * @param body the rendered body (an update replaces it)
 * @param occurredAt when the event happened
 * @param createdAt when the inbox stored it
 * @param readAt when the user read it, or {@code null} while unread
 */
record InboxRow(
        UUID eventId,
        UUID notificationId,
        @Nullable String source,
        String userId,
        String type,
        String title,
        String body,
        Instant occurredAt,
        Instant createdAt,
        @Nullable Instant readAt) {}
