package io.herald.fanout.inbox;

import io.herald.events.HeraldJson;
import io.herald.events.InAppNotification;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

/** The {@code inbox.notifications} table. Thread-safe. */
@Repository
class InboxStore {

    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final Clock clock;

    InboxStore(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Stores a notification once: a redelivered record with the same notification id changes nothing.
     *
     * @return {@code true} when it was new
     */
    boolean store(InAppNotification n) {
        var actor = n.actor();
        var object = n.object();
        int rows = jdbc.sql("""
                        insert into inbox.notifications (notification_id, event_id, user_id, type, title, body, data,
                            actor_id, actor_display_name, object_id, object_kind, object_title, occurred_at, created_at)
                        values (:id, :eventId, :userId, :type, :title, :body, cast(:data as jsonb),
                            :actorId, :actorName, :objectId, :objectKind, :objectTitle, :occurredAt, :createdAt)
                        on conflict (notification_id) do nothing
                        """)
                .param("id", n.notificationId())
                .param("eventId", n.eventId())
                .param("userId", n.userId())
                .param("type", n.type())
                .param("title", n.title())
                .param("body", n.body())
                .param("data", HeraldJson.mapper().writeValueAsString(n.data()))
                .param("actorId", actor == null ? null : actor.id())
                .param("actorName", actor == null ? null : actor.displayName())
                .param("objectId", object == null ? null : object.id())
                .param("objectKind", object == null ? null : object.kind())
                .param("objectTitle", object == null ? null : object.title())
                .param("occurredAt", Timestamp.from(n.occurredAt()))
                .param("createdAt", Timestamp.from(clock.instant()))
                .update();
        return rows == 1;
    }

    /** A user's notifications, newest first, at most {@code limit}. */
    List<InboxItem> newest(String userId, int limit) {
        return jdbc.sql("""
                        select notification_id, type, title, body, data::text as data, read_at, created_at, occurred_at
                        from inbox.notifications where user_id = :userId
                        order by created_at desc, notification_id desc limit :limit
                        """)
                .param("userId", userId)
                .param("limit", limit)
                .query(InboxStore::item)
                .list();
    }

    /** How many of a user's notifications are unread. */
    long unreadCount(String userId) {
        return jdbc.sql("select count(*) from inbox.notifications where user_id = :userId and read_at is null")
                .param("userId", userId)
                .query(Long.class)
                .single();
    }

    private static InboxItem item(ResultSet rs, int row) throws SQLException {
        Timestamp occurred = rs.getTimestamp("occurred_at");
        return new InboxItem(
                rs.getObject("notification_id", UUID.class),
                rs.getString("type"),
                rs.getString("title"),
                rs.getString("body"),
                HeraldJson.mapper().readValue(rs.getString("data"), STRING_MAP),
                rs.getTimestamp("read_at") != null,
                rs.getTimestamp("created_at").toInstant(),
                occurred == null ? null : occurred.toInstant());
    }
}
