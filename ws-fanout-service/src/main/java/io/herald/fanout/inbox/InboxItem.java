package io.herald.fanout.inbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One notification in a user's inbox, as the internal API returns it.
 *
 * @param id the notification id (see {@link io.herald.events.Ids#notificationId})
 * @param type the domain event's type
 * @param title the rendered title (an update replaces it)
 * @param body the rendered body (an update replaces it)
 * @param data the string values the upstream app attached (an update replaces them)
 * @param read whether the user has read it
 * @param createdAt when the inbox stored it
 * @param occurredAt when the domain event happened, or {@code null} for rows stored without it
 * @param link the deep link the app sent, or {@code null} (absent from the JSON)
 * @param imageUrl the image the app sent, or {@code null} (absent from the JSON)
 * @param collapseKey the event's collapse key, or {@code null} (absent from the JSON): a withdraw by collapse key
 *     removes the items that carry it
 */
public record InboxItem(
        UUID id,
        String type,
        String title,
        String body,
        Map<String, String> data,
        boolean read,
        Instant createdAt,
        @Nullable Instant occurredAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String link,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String imageUrl,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String collapseKey) {

    /** An item without link, image or collapse key. */
    public InboxItem(
            UUID id,
            String type,
            String title,
            String body,
            Map<String, String> data,
            boolean read,
            Instant createdAt,
            @Nullable Instant occurredAt) {
        this(id, type, title, body, data, read, createdAt, occurredAt, null, null, null);
    }
}
