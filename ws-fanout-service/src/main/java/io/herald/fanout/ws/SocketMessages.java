package io.herald.fanout.ws;

import io.herald.events.HeraldJson;
import io.herald.events.InAppNotification;
import io.herald.fanout.inbox.InboxItem;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;

/**
 * The server's messages on the socket: JSON objects with a {@code type} field and snake_case names. The
 * README documents each one.
 */
final class SocketMessages {

    private SocketMessages() {}

    static String notification(InboxItem item) {
        var message = start("notification", null);
        message.put("notification", item(item));
        return json(message);
    }

    static String notification(InAppNotification n) {
        return new String(notificationBytes(n), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * {@link #notification(InAppNotification)} as UTF-8, what the live path writes to every socket of the user:
     * the same message a replay from the inbox gives, written field by field (the live path's hottest step).
     */
    static byte[] notificationBytes(InAppNotification n) {
        var out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = HeraldJson.mapper().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringProperty("type", "notification");
            json.writeName("notification");
            json.writeStartObject();
            json.writeStringProperty("id", n.notificationId().toString());
            writeIfPresent(json, "type", n.type());
            writeIfPresent(json, "title", n.title());
            writeIfPresent(json, "body", n.body());
            json.writeName("data");
            json.writeStartObject();
            for (Map.Entry<String, String> entry : n.data().entrySet()) {
                json.writeStringProperty(entry.getKey(), entry.getValue());
            }
            json.writeEndObject();
            json.writeBooleanProperty("read", false);
            if (n.occurredAt() != null) {
                json.writeStringProperty("created_at", n.occurredAt().toString());
            }
            json.writeEndObject();
            json.writeEndObject();
        }
        return out.toByteArray();
    }

    private static void writeIfPresent(JsonGenerator json, String name, @Nullable String value) {
        if (value != null) {
            json.writeStringProperty(name, value);
        }
    }

    static String list(
            List<InboxItem> items, int page, int pageSize, long total, long unread, @Nullable String requestId) {
        var message = start("notifications_list", requestId);
        message.put("notifications", items.stream().map(SocketMessages::item).toList());
        message.put("page", page);
        message.put("page_size", pageSize);
        message.put("total", total);
        message.put("unread_count", unread);
        return json(message);
    }

    static String unreadCount(long unread, @Nullable String requestId) {
        var message = start("unread_count", requestId);
        message.put("unread_count", unread);
        return json(message);
    }

    static String markedRead(UUID id, long unread, @Nullable String requestId) {
        var message = start("notification_marked_read", requestId);
        message.put("id", id);
        message.put("unread_count", unread);
        return json(message);
    }

    static String allMarkedRead(int updated, @Nullable String requestId) {
        var message = start("all_notifications_marked_read", requestId);
        message.put("updated", updated);
        message.put("unread_count", 0);
        return json(message);
    }

    static String deleted(UUID id, long unread, @Nullable String requestId) {
        var message = start("notification_deleted", requestId);
        message.put("id", id);
        message.put("unread_count", unread);
        return json(message);
    }

    static String resumed(int replayed, @Nullable String requestId) {
        var message = start("resumed", requestId);
        message.put("replayed", replayed);
        return json(message);
    }

    static String pong(@Nullable String requestId) {
        var message = start("pong", requestId);
        message.put("server_time", Instant.now());
        return json(message);
    }

    static String actionAccepted(String action, UUID actionId, @Nullable String requestId) {
        var message = start("action_accepted", requestId);
        message.put("action", action);
        message.put("action_id", actionId);
        return json(message);
    }

    /**
     * An error answer.
     *
     * @param code stable: {@code invalid_message}, {@code unknown_type}, {@code invalid_field}, {@code
     *     not_found}, {@code unavailable}, {@code internal}
     */
    static String error(String code, String text, @Nullable String requestType, @Nullable String requestId) {
        var message = start("error", requestId);
        message.put("code", code);
        message.put("message", text);
        if (requestType != null) {
            message.put("request_type", requestType);
        }
        return json(message);
    }

    private static Map<String, Object> item(InboxItem item) {
        var map = new LinkedHashMap<String, Object>();
        map.put("id", item.id());
        map.put("type", item.type());
        map.put("title", item.title());
        map.put("body", item.body());
        map.put("data", item.data());
        map.put("read", item.read());
        map.put("created_at", item.createdAt());
        return map;
    }

    private static LinkedHashMap<String, Object> start(String type, @Nullable String requestId) {
        var message = new LinkedHashMap<String, Object>();
        message.put("type", type);
        if (requestId != null) {
            message.put("request_id", requestId);
        }
        return message;
    }

    private static String json(Map<String, ?> message) {
        return HeraldJson.mapper().writeValueAsString(message);
    }
}
