package io.herald.fanout.ws;

import io.herald.events.HeraldJson;
import io.herald.events.InAppNotification;
import io.herald.fanout.inbox.InboxItem;
import io.herald.fanout.inbox.InboxStore;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;

/**
 * The server's messages on the socket: JSON objects with a {@code type} field and snake_case names.
 * docs/websocket.md documents each one.
 */
final class SocketMessages {

    private SocketMessages() {}

    /** A notification replayed from the inbox; with its stream position when it was stored with one. */
    static byte[] notificationBytes(InboxItem item, InboxStore.@Nullable StreamPosition position) {
        var message = start("notification", null);
        message.put("notification", item(item));
        if (position != null) {
            message.put("position", position(position.partition(), position.offset()));
        }
        return HeraldJson.mapper().writeValueAsBytes(message);
    }

    static String notification(InAppNotification n, int partition, long offset) {
        return new String(notificationBytes(n, partition, offset), StandardCharsets.UTF_8);
    }

    /**
     * What the live path writes to every socket of the user for the record at {@code offset} of {@code
     * partition}: the same message a replay from the inbox gives, written field by field (the live path's hottest
     * step).
     */
    static byte[] notificationBytes(InAppNotification n, int partition, long offset) {
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
            writeRich(json, n);
            json.writeEndObject();
            json.writeStringProperty("position", position(partition, offset));
            json.writeEndObject();
        }
        return out.toByteArray();
    }

    /** The optional fields of a notification an app may send: each only when set. */
    private static void writeRich(JsonGenerator json, InAppNotification n) {
        writeIfPresent(json, "link", n.link());
        writeIfPresent(json, "image_url", n.imageUrl());
        writeIfPresent(json, "collapse_key", n.collapseKey());
    }

    /**
     * What the live path writes to every socket of the user for a withdrawal at {@code offset} of {@code
     * partition}: {@code {"type":"notification_withdrawn","id":…}} by id, or {@code
     * {"type":"notification_withdrawn","collapse_key":…,"source":…}} by collapse key (the client removes its items
     * with that {@code collapse_key}), with the withdrawal's {@code position}.
     */
    static byte[] withdrawnBytes(InAppNotification withdrawal, int partition, long offset) {
        String key = withdrawal.collapseKey();
        return withdrawnBytes(
                key == null ? withdrawal.notificationId() : null, key, withdrawal.source(), partition, offset);
    }

    /** As {@link #withdrawnBytes(InAppNotification, int, long)}: {@code id} by id, else {@code collapseKey}. */
    static byte[] withdrawnBytes(
            @Nullable UUID id, @Nullable String collapseKey, @Nullable String source, int partition, long offset) {
        var message = start("notification_withdrawn", null);
        if (id != null) {
            message.put("id", id);
        }
        if (collapseKey != null) {
            message.put("collapse_key", collapseKey);
            if (source != null) {
                message.put("source", source);
            }
        }
        message.put("position", position(partition, offset));
        return HeraldJson.mapper().writeValueAsBytes(message);
    }

    /**
     * What the live path writes to every socket of the user for an update at {@code offset} of {@code partition}:
     * {@code {"type":"notification_updated","notification":{id, title, body, data, link?, image_url?,
     * collapse_key?},"position":…}}. The client replaces the words of the item with that id where it shows it;
     * {@code type}, {@code read} and {@code created_at} are not in it, since an update changes none of them.
     */
    static byte[] updatedBytes(InAppNotification update, int partition, long offset) {
        var item = new LinkedHashMap<String, Object>();
        // Not its type: an update keeps the item's, and the update event's own may differ.
        item.put("id", update.notificationId());
        item.put("title", update.title());
        item.put("body", update.body());
        item.put("data", update.data());
        putIfPresent(item, "link", update.link());
        putIfPresent(item, "image_url", update.imageUrl());
        putIfPresent(item, "collapse_key", update.collapseKey());
        return updated(item, position(partition, offset));
    }

    /** An update replayed from the inbox: the item as it now is, at the update's stream position. */
    static byte[] updatedBytes(InboxItem item, InboxStore.StreamPosition position) {
        Map<String, Object> map = item(item);
        map.remove("type");
        map.remove("read");
        map.remove("created_at");
        return updated(map, position(position.partition(), position.offset()));
    }

    private static byte[] updated(Map<String, Object> item, String position) {
        var message = start("notification_updated", null);
        message.put("notification", item);
        message.put("position", position);
        return HeraldJson.mapper().writeValueAsBytes(message);
    }

    private static void putIfPresent(Map<String, Object> map, String name, @Nullable String value) {
        if (value != null) {
            map.put(name, value);
        }
    }

    /**
     * A notification's stream position as the client sees it, {@code "<partition>:<offset>"} of its {@code
     * herald.inapp.v1} record: opaque to clients, which send the last one they got back in {@code resume}.
     */
    static String position(int partition, long offset) {
        return partition + ":" + offset;
    }

    /** The stream position a client sent, or {@code null} when it is not one. */
    static InboxStore.@Nullable StreamPosition parsePosition(String text) {
        int colon = text.indexOf(':');
        if (colon < 1 || colon > 10 || text.length() - colon > 20) {
            return null;
        }
        try {
            int partition = Integer.parseInt(text, 0, colon, 10);
            long offset = Long.parseLong(text, colon + 1, text.length(), 10);
            return partition < 0 || offset < 0 ? null : new InboxStore.StreamPosition(partition, offset);
        } catch (NumberFormatException e) {
            return null;
        }
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

    static String resumed(int replayed, boolean complete, @Nullable String requestId) {
        var message = start("resumed", requestId);
        message.put("replayed", replayed);
        message.put("complete", complete);
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
     *     not_found}, {@code rate_limited}, {@code unavailable}, {@code internal}
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
        putIfPresent(map, "link", item.link());
        putIfPresent(map, "image_url", item.imageUrl());
        putIfPresent(map, "collapse_key", item.collapseKey());
        return map;
    }

    /** A server message of {@code type}, with the request's {@code request_id} when it had one. */
    static Map<String, Object> start(String type, @Nullable String requestId) {
        var message = new LinkedHashMap<String, Object>();
        message.put("type", type);
        if (requestId != null) {
            message.put("request_id", requestId);
        }
        return message;
    }

    static String json(Map<String, ?> message) {
        return HeraldJson.mapper().writeValueAsString(message);
    }
}
