package io.herald.fanout.ws;

import io.herald.events.HeraldJson;
import io.herald.fanout.inbox.InboxStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The server's messages in the work-assignment dialect ({@link SocketDialect#WORK}): a notification is one flat
 * object typed by what happened, {@code {"type":"work_assigned","work_id":"w-1",…}}, as the seed's Django backend
 * sent it to the provider's and the seeker's sockets.
 *
 * <p>The app's data comes first and wins: its keys as sent (a {@code type} of its own too), then each camelCase key
 * once more in snake_case where the data has no such key ({@code workId} also as {@code work_id}), then Herald's
 * fields where the data has none of that name: {@code type} (the event type), {@code notification_id}, {@code
 * title}, {@code message} (the body), {@code read}, {@code created_at}, {@code link}, {@code position}.
 */
final class WorkMessages {

    private WorkMessages() {}

    static byte[] notification(Shown n, InboxStore.@Nullable StreamPosition position) {
        return HeraldJson.mapper().writeValueAsBytes(flat(n.data().getOrDefault("type", n.type()), n, position));
    }

    /**
     * A notification's new words: the notification's flat frame typed {@code notification_updated}, its event type
     * as {@code event_type} (where the data has none); the client replaces what it shows for that {@code
     * notification_id}.
     */
    static byte[] updated(Shown n, InboxStore.StreamPosition position) {
        Map<String, Object> message = flat("notification_updated", n, position);
        message.remove("read");
        message.remove("created_at");
        message.putIfAbsent("event_type", n.type());
        return HeraldJson.mapper().writeValueAsBytes(message);
    }

    private static Map<String, Object> flat(String type, Shown n, InboxStore.@Nullable StreamPosition position) {
        var message = new LinkedHashMap<String, Object>();
        message.put("type", type);
        n.data().forEach((key, value) -> {
            if (!key.equals("type")) {
                message.put(key, value);
            }
        });
        n.data().keySet().forEach(key -> {
            String snake = snakeCase(key);
            // Herald's own keys (herald.eventId …) are no app's field names: no alias for them.
            if (!snake.equals(key) && key.indexOf('.') < 0) {
                message.putIfAbsent(snake, n.data().get(key));
            }
        });
        message.putIfAbsent("notification_id", n.id());
        message.putIfAbsent("title", n.title());
        message.putIfAbsent("message", n.body());
        message.putIfAbsent("read", n.read());
        if (n.createdAt() != null) {
            message.putIfAbsent("created_at", n.createdAt());
        }
        if (n.link() != null) {
            message.putIfAbsent("link", n.link());
        }
        if (position != null) {
            message.putIfAbsent("position", SocketMessages.position(position.partition(), position.offset()));
        }
        return message;
    }

    /**
     * The answer to a {@code work_response} once it is recorded: Herald's {@code action_accepted} with the response's
     * {@code work_id} and {@code accepted}, and {@code success}.
     */
    static String responseRecorded(
            UUID actionId, String workId, boolean accepted, boolean success, @Nullable String requestId) {
        var message = new LinkedHashMap<String, Object>();
        message.put("type", "action_accepted");
        if (requestId != null) {
            message.put("request_id", requestId);
        }
        message.put("action", "work_response");
        message.put("action_id", actionId);
        message.put("work_id", workId);
        message.put("accepted", accepted);
        message.put("success", success);
        return HeraldJson.mapper().writeValueAsString(message);
    }

    /**
     * {@code workId} → {@code work_id}, {@code imageURL} → {@code image_url}; a key with no upper-case letter is its
     * own snake case.
     */
    static String snakeCase(String key) {
        var out = new StringBuilder(key.length() + 4);
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isUpperCase(c)) {
                boolean afterLower = i > 0 && !Character.isUpperCase(key.charAt(i - 1)) && key.charAt(i - 1) != '_';
                boolean beforeLower = i > 0
                        && i + 1 < key.length()
                        && Character.isUpperCase(key.charAt(i - 1))
                        && Character.isLowerCase(key.charAt(i + 1));
                if (afterLower || beforeLower) {
                    out.append('_');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
