package io.herald.fanout.ws;

import io.herald.events.InAppNotification;
import io.herald.fanout.inbox.InboxItem;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A notification as the socket dialects show it, whether it comes live ({@link InAppNotification}) or from the inbox
 * ({@link InboxItem}).
 *
 * @param link the notification's deep link; where it has none of its own, the app's {@code data.link}
 */
record Shown(
        UUID id,
        String type,
        String title,
        String body,
        Map<String, String> data,
        boolean read,
        @Nullable Instant createdAt,
        @Nullable String link) {

    static Shown of(InAppNotification n) {
        return new Shown(
                n.notificationId(),
                n.type(),
                n.title(),
                n.body(),
                n.data(),
                false,
                n.occurredAt(),
                n.link() != null ? n.link() : n.data().get("link"));
    }

    static Shown of(InboxItem item) {
        return new Shown(
                item.id(),
                item.type(),
                item.title(),
                item.body(),
                item.data(),
                item.read(),
                item.createdAt(),
                item.link() != null ? item.link() : item.data().get("link"));
    }
}
