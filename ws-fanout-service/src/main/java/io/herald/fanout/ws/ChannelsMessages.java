package io.herald.fanout.ws;

import io.herald.events.HeraldJson;
import io.herald.events.InAppNotification;
import io.herald.fanout.inbox.InboxStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The server's messages in the Django Channels dialect ({@link SocketDialect#CHANNELS}), named and shaped as that
 * inbox's protocol table: a notification's text is {@code message}, it carries its {@code link}, confirmations carry
 * {@code success} and {@code notification_id}. Herald's extras ({@code position}, {@code unread_count}, {@code
 * request_id}) are additional fields such a client ignores. docs/websocket.md documents each.
 */
final class ChannelsMessages {

    private ChannelsMessages() {}

    /** {@code {"type":"notification","notification":{…},"position":…}}. */
    static byte[] notification(Shown n, InboxStore.@Nullable StreamPosition position) {
        var message = SocketMessages.start("notification", null);
        message.put("notification", item(n));
        if (position != null) {
            message.put("position", SocketMessages.position(position.partition(), position.offset()));
        }
        return HeraldJson.mapper().writeValueAsBytes(message);
    }

    /**
     * A notification withdrawn: {@code {"type":"notification_withdrawn","notification_id":…}} by id, or with {@code
     * collapse_key} (and {@code source}) by collapse key: the client removes its items with that key. The
     * work-assignment dialect sends the same.
     */
    static byte[] withdrawn(InAppNotification withdrawal, InboxStore.StreamPosition position) {
        String key = withdrawal.collapseKey();
        return withdrawn(key == null ? withdrawal.notificationId() : null, key, withdrawal.source(), position);
    }

    static byte[] withdrawn(
            @Nullable UUID id,
            @Nullable String collapseKey,
            @Nullable String source,
            InboxStore.StreamPosition position) {
        var message = SocketMessages.start("notification_withdrawn", null);
        if (id != null) {
            message.put("notification_id", id);
        }
        if (collapseKey != null) {
            message.put("collapse_key", collapseKey);
            if (source != null) {
                message.put("source", source);
            }
        }
        message.put("position", SocketMessages.position(position.partition(), position.offset()));
        return HeraldJson.mapper().writeValueAsBytes(message);
    }

    /**
     * A notification's new words: {@code {"type":"notification_updated","notification":{id, title, message, type,
     * data, link}}}; the client replaces the item with that id where it shows it ({@code read} and {@code
     * created_at} stay as they were).
     */
    static byte[] updated(Shown n, InboxStore.StreamPosition position) {
        var message = SocketMessages.start("notification_updated", null);
        Map<String, Object> item = item(n);
        item.remove("read");
        item.remove("created_at");
        message.put("notification", item);
        message.put("position", SocketMessages.position(position.partition(), position.offset()));
        return HeraldJson.mapper().writeValueAsBytes(message);
    }

    static String list(List<Shown> items, int page, int pageSize, long total, long unread, @Nullable String requestId) {
        var message = SocketMessages.start("notifications_list", requestId);
        message.put("notifications", items.stream().map(ChannelsMessages::item).toList());
        message.put("total", total);
        message.put("unread_count", unread);
        message.put("page", page);
        message.put("page_size", pageSize);
        return SocketMessages.json(message);
    }

    static String markedRead(UUID id, long unread, @Nullable String requestId) {
        return confirmation("notification_marked_read", id, unread, requestId);
    }

    static String deleted(UUID id, long unread, @Nullable String requestId) {
        return confirmation("notification_deleted", id, unread, requestId);
    }

    static String allMarkedRead(int updated, @Nullable String requestId) {
        var message = SocketMessages.start("all_notifications_marked_read", requestId);
        message.put("success", true);
        message.put("updated", updated);
        message.put("unread_count", 0);
        return SocketMessages.json(message);
    }

    /** The answer to {@code send_notification}: the id of the notification its recipient gets. */
    static String sent(UUID notificationId, @Nullable String requestId) {
        var message = SocketMessages.start("notification_sent", requestId);
        message.put("success", true);
        message.put("notification_id", notificationId);
        return SocketMessages.json(message);
    }

    /** Herald's {@code error} with {@code success: false}, which the Channels frontend checks. */
    static String error(String code, String text, @Nullable String requestType, @Nullable String requestId) {
        var message = SocketMessages.start("error", requestId);
        message.put("success", false);
        message.put("code", code);
        message.put("message", text);
        if (requestType != null) {
            message.put("request_type", requestType);
        }
        return SocketMessages.json(message);
    }

    private static String confirmation(String type, UUID id, long unread, @Nullable String requestId) {
        var message = SocketMessages.start(type, requestId);
        message.put("notification_id", id);
        message.put("success", true);
        message.put("unread_count", unread);
        return SocketMessages.json(message);
    }

    /** {@code id, title, message, type, read, created_at, data, link}: the seed's notification, field by field. */
    static Map<String, Object> item(Shown n) {
        var map = new LinkedHashMap<String, Object>();
        map.put("id", n.id());
        map.put("title", n.title());
        map.put("message", n.body());
        map.put("type", n.type());
        map.put("read", n.read());
        map.put("created_at", n.createdAt());
        map.put("data", n.data());
        map.put("link", n.link());
        return map;
    }
}
