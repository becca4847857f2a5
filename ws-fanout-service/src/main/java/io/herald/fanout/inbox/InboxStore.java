package io.herald.fanout.inbox;

import io.herald.events.HeraldJson;
import io.herald.events.InAppNotification;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

/** The {@code inbox.notifications} table. Thread-safe. */
@Repository
public class InboxStore {

    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

    private final JdbcClient client;
    private final JdbcTemplate jdbc;
    private final Clock clock;

    InboxStore(JdbcClient client, JdbcTemplate jdbc, Clock clock) {
        this.client = client;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    // A poll's worth in one statement: each column an array, unnested into rows. One parse, one bind and one
    // execution for the lot (a JDBC batch of single-row inserts costs PostgreSQL a bind and an execution per row).
    // The writers' progress goes in the same statement, so whoever sees a partition's mark sees the rows under it;
    // its partitions are locked in order, so two writers briefly sharing partitions (a rebalance) cannot deadlock.
    // A notification withdrawn before it got here (by its id, or by its app's collapse key at or after it
    // occurred) is not stored: see inbox.withdrawals in V3__withdraw_and_update.sql.
    private static final String INSERT = """
            with stored as (
                insert into inbox.notifications (notification_id, event_id, user_id, type, title, body, data,
                    actor_id, actor_display_name, object_id, object_kind, object_title, occurred_at, created_at,
                    kafka_partition, kafka_offset, source, link, image_url, collapse_key)
                select id, event_id, user_id, type, title, body, cast(data as jsonb),
                    actor_id, actor_name, object_id, object_kind, object_title, occurred_at, created_at,
                    kafka_partition, kafka_offset, source, link, image_url, collapse_key
                from unnest(cast(? as uuid[]), cast(? as uuid[]), cast(? as text[]), cast(? as text[]),
                    cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]),
                    cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as timestamptz[]),
                    cast(? as timestamptz[]), cast(? as int[]), cast(? as bigint[]), cast(? as text[]),
                    cast(? as text[]), cast(? as text[]), cast(? as text[]))
                    as n(id, event_id, user_id, type, title, body, data, actor_id, actor_name, object_id, object_kind,
                        object_title, occurred_at, created_at, kafka_partition, kafka_offset, source, link, image_url,
                        collapse_key)
                where not exists (
                        select 1 from inbox.withdrawals w
                        where w.withdrawal_id = n.id and w.user_id = n.user_id and w.collapse_key is null)
                    and (n.collapse_key is null or not exists (
                        select 1 from inbox.withdrawals w
                        where w.user_id = n.user_id and w.collapse_key = n.collapse_key
                            and w.source is not distinct from n.source and w.occurred_at >= n.occurred_at))
                on conflict (notification_id) do nothing
                returning 1
            ), progress as (
                insert into inbox.writer_progress (kafka_partition, next_offset)
                select p, max(o) from unnest(cast(? as int[]), cast(? as bigint[])) as t(p, o)
                group by p order by p
                on conflict (kafka_partition)
                do update set next_offset = greatest(inbox.writer_progress.next_offset, excluded.next_offset)
            )
            select count(*) from stored
            """;

    /** A notification with its place in {@code herald.inapp.v1}. */
    record Positioned(InAppNotification notification, int partition, long offset) {}

    /**
     * Stores a notification once: a redelivered record with the same notification id changes nothing.
     *
     * @return {@code true} when it was new
     */
    public boolean store(InAppNotification n) {
        return storeAll(List.of(n)) == 1;
    }

    /**
     * Stores notifications once each, in one statement and one transaction (a poll's worth at a time); those
     * already stored change nothing. When the table refuses one of them, none is stored. They get no stream
     * position (resume replays them in time order): the inbox writer stores with {@link #store(List, Map)}.
     *
     * @return how many were new
     */
    public int storeAll(List<InAppNotification> notifications) {
        return insert(notifications, null, Map.of());
    }

    /**
     * Stores records of {@code herald.inapp.v1} once each with their stream positions, and raises the writers'
     * progress to {@code progress} (partition to the next offset: every record below it stored or dead-lettered),
     * all in one statement: when the table refuses one of them, nothing is stored and no progress recorded.
     *
     * @return how many were new
     */
    int store(List<Positioned> records, Map<Integer, Long> progress) {
        return insert(records.stream().map(Positioned::notification).toList(), records, progress);
    }

    /** Raises the writers' progress alone: for records dead-lettered instead of stored. */
    void recordProgress(Map<Integer, Long> progress) {
        insert(List.of(), List.of(), progress);
    }

    private int insert(
            List<InAppNotification> notifications, @Nullable List<Positioned> positions, Map<Integer, Long> progress) {
        int size = notifications.size();
        if (size == 0 && progress.isEmpty()) {
            return 0;
        }
        var columns = new Object[20][size];
        for (int i = 0; i < size; i++) {
            InAppNotification n = notifications.get(i);
            if (n.change() != null) {
                throw new IllegalArgumentException("a withdrawal or an update is applied, never stored as an item");
            }
            var actor = n.actor();
            var object = n.object();
            columns[0][i] = n.notificationId();
            columns[1][i] = n.eventId();
            columns[2][i] = n.userId();
            columns[3][i] = n.type();
            columns[4][i] = n.title();
            columns[5][i] = n.body();
            columns[6][i] = HeraldJson.mapper().writeValueAsString(n.data());
            columns[7][i] = actor == null ? null : actor.id();
            columns[8][i] = actor == null ? null : actor.displayName();
            columns[9][i] = object == null ? null : object.id();
            columns[10][i] = object == null ? null : object.kind();
            columns[11][i] = object == null ? null : object.title();
            columns[12][i] = n.occurredAt() == null ? null : n.occurredAt().toString();
            // Its own instant per row: the inbox orders by it, so one batch keeps the order it came in.
            columns[13][i] = clock.instant().toString();
            columns[14][i] = positions == null ? null : positions.get(i).partition();
            columns[15][i] = positions == null ? null : positions.get(i).offset();
            columns[16][i] = n.source();
            columns[17][i] = n.link();
            columns[18][i] = n.imageUrl();
            columns[19][i] = n.collapseKey();
        }
        Integer[] progressPartitions = progress.keySet().toArray(Integer[]::new);
        Long[] progressOffsets = new Long[progressPartitions.length];
        for (int i = 0; i < progressPartitions.length; i++) {
            progressOffsets[i] = progress.get(progressPartitions[i]);
        }
        Integer stored = jdbc.execute((Connection connection) -> {
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                for (int c = 0; c < columns.length; c++) {
                    String type = c < 2 ? "uuid" : c == 14 ? "int4" : c == 15 ? "int8" : "text";
                    insert.setArray(c + 1, connection.createArrayOf(type, columns[c]));
                }
                insert.setArray(columns.length + 1, connection.createArrayOf("int4", progressPartitions));
                insert.setArray(columns.length + 2, connection.createArrayOf("int8", progressOffsets));
                try (ResultSet result = insert.executeQuery()) {
                    result.next();
                    return result.getInt(1);
                }
            }
        });
        return stored == null ? 0 : stored;
    }

    /**
     * Applies a withdrawal ({@link InAppNotification#change()} {@code WITHDRAW}) and remembers it, so that the
     * notification it withdraws is not stored should it come later, and a resume from before it replays it. By id
     * ({@link InAppNotification#collapseKey()} null) it deletes the user's notification {@link
     * InAppNotification#notificationId()}; by collapse key, the user's notifications of the same source with that
     * key that occurred no later than the withdrawal. Idempotent: a redelivered withdrawal deletes nothing more.
     *
     * @param position its place in {@code herald.inapp.v1}, or {@code null} outside the writer (tests)
     * @return how many notifications it deleted
     */
    public int withdraw(InAppNotification withdrawal, @Nullable StreamPosition position) {
        String remember = """
                with remembered as (
                    insert into inbox.withdrawals (withdrawal_id, user_id, source, collapse_key, occurred_at,
                        created_at, kafka_partition, kafka_offset)
                    values (:id, :userId, :source, :collapseKey, :occurredAt, :now, :partition, :offset)
                    on conflict (withdrawal_id) do nothing
                )
                """;
        String delete = withdrawal.collapseKey() == null
                ? "delete from inbox.notifications where user_id = :userId and notification_id = :id"
                : """
                        delete from inbox.notifications
                        where user_id = :userId and collapse_key = :collapseKey
                            and source is not distinct from :source and occurred_at <= :occurredAt
                        """;
        return client.sql(remember + delete)
                .param("id", withdrawal.notificationId())
                .param("userId", withdrawal.userId())
                .param("source", withdrawal.source(), Types.VARCHAR)
                .param("collapseKey", withdrawal.collapseKey(), Types.VARCHAR)
                .param("occurredAt", Timestamp.from(withdrawal.occurredAt()))
                .param("now", Timestamp.from(clock.instant()))
                .param("partition", position == null ? null : position.partition(), Types.INTEGER)
                .param("offset", position == null ? null : position.offset(), Types.BIGINT)
                .update();
    }

    /**
     * Applies an update ({@link InAppNotification#change()} {@code UPDATE}): the user's notification {@link
     * InAppNotification#notificationId()} gets its title, body and data, where it is stored; one that is not stored
     * (not yet, or withdrawn, or never sent to this user) is not created. An update older in the stream than the
     * one the row has (the topic read again) changes nothing, and neither does one whose event id was applied
     * already (routed again by token-service, perhaps after a newer one; the newest {@value #APPLIED_UPDATES_KEPT}
     * are remembered per row), so redelivery is harmless.
     *
     * @param position its place in {@code herald.inapp.v1}, or {@code null} outside the writer (tests)
     * @return whether a stored notification was updated
     */
    public boolean update(InAppNotification update, @Nullable StreamPosition position) {
        return client.sql("""
                        update inbox.notifications
                        set title = :title, body = :body, data = cast(:data as jsonb),
                            updated_offset = coalesce(:offset, updated_offset),
                            applied_updates = (array_append(applied_updates, cast(:eventId as uuid)))[
                                greatest(1, coalesce(cardinality(applied_updates), 0) + 2 - :appliedMax):]
                        where user_id = :userId and notification_id = :id
                            and (:offset is null or coalesce(updated_offset, -1) <= :offset)
                            and not (cast(:eventId as uuid) = any(coalesce(applied_updates, '{}')))
                        """)
                        .param("eventId", update.eventId())
                        .param("appliedMax", APPLIED_UPDATES_KEPT)
                        .param("title", update.title())
                        .param("body", update.body())
                        .param("data", HeraldJson.mapper().writeValueAsString(update.data()))
                        .param("offset", position == null ? null : position.offset(), Types.BIGINT)
                        .param("userId", update.userId())
                        .param("id", update.notificationId())
                        .update()
                == 1;
    }

    /** How many of the update event ids applied to a row it remembers ({@code applied_updates}). */
    static final int APPLIED_UPDATES_KEPT = 32;

    /**
     * The withdrawals and updates of a user's notifications recorded at offsets of {@code partition} after {@code
     * after} and before {@code before}, oldest first (at most {@code limit}, the newest when there are more): what a
     * resume replays besides the notifications themselves. An update of a notification that is itself in the range
     * is left out: its replayed notification has the new words.
     */
    public List<ReplayedChange> replayChanges(String userId, int partition, long after, long before, int limit) {
        List<ReplayedChange> newestFirst = client.sql("""
                        select * from (
                            select kafka_offset as change_offset, withdrawal_id, collapse_key, source,
                                null::uuid as notification_id, null as type, null as title, null as body,
                                null as data, null::timestamptz as read_at, null::timestamptz as created_at,
                                null::timestamptz as occurred_at, null as link, null as image_url
                            from inbox.withdrawals
                            where user_id = :userId and kafka_partition = :partition
                                and kafka_offset > :after and kafka_offset < :before
                            union all
                            select updated_offset, null, collapse_key, source, notification_id, type, title, body,
                                data::text, read_at, created_at, occurred_at, link, image_url
                            from inbox.notifications
                            where user_id = :userId and kafka_partition = :partition
                                and updated_offset > :after and updated_offset < :before and kafka_offset <= :after
                        ) changes
                        order by change_offset desc limit :limit
                        """)
                .param("userId", userId)
                .param("partition", partition)
                .param("after", after)
                .param("before", before)
                .param("limit", limit)
                .query((rs, row) -> {
                    var position = new StreamPosition(partition, rs.getLong("change_offset"));
                    UUID withdrawn = rs.getObject("withdrawal_id", UUID.class);
                    if (withdrawn != null) {
                        String key = rs.getString("collapse_key");
                        return new ReplayedChange(
                                position, null, key == null ? withdrawn : null, key, rs.getString("source"));
                    }
                    return new ReplayedChange(position, item(rs, row), null, null, null);
                })
                .list();
        return newestFirst.reversed();
    }

    /**
     * A withdrawal or an update to replay, at its stream position: either {@code updated} (the notification as
     * it now is), or a withdrawal of {@code withdrawnId} (by id) or of {@code collapseKey} of {@code source}.
     */
    public record ReplayedChange(
            StreamPosition position,
            @Nullable InboxItem updated,
            @Nullable UUID withdrawnId,
            @Nullable String collapseKey,
            @Nullable String source) {}

    /**
     * How far the inbox writers have got: partition of {@code herald.inapp.v1} to the next offset, every record
     * below it stored (or dead-lettered). Partitions no writer has reached yet are absent.
     */
    public Map<Integer, Long> storedUpTo() {
        var progress = new HashMap<Integer, Long>();
        client.sql("select kafka_partition, next_offset from inbox.writer_progress")
                .query((ResultSet rs) -> {
                    progress.put(rs.getInt(1), rs.getLong(2));
                });
        return progress;
    }

    /** A user's notifications, newest first, at most {@code limit}, after {@code cursor} when given. */
    List<InboxItem> page(String userId, @Nullable InboxCursor cursor, int limit) {
        if (cursor == null) {
            return client.sql(SELECT + """
                            where user_id = :userId
                            order by created_at desc, notification_id desc limit :limit
                            """)
                    .param("userId", userId)
                    .param("limit", limit)
                    .query(InboxStore::item)
                    .list();
        }
        return client.sql(SELECT + """
                        where user_id = :userId and (created_at, notification_id) < (:createdAt, :id)
                        order by created_at desc, notification_id desc limit :limit
                        """)
                .param("userId", userId)
                .param("createdAt", Timestamp.from(cursor.createdAt()))
                .param("id", cursor.id())
                .param("limit", limit)
                .query(InboxStore::item)
                .list();
    }

    /**
     * The rows of the events {@code eventIds} (every recipient's), newest first by {@code (created_at,
     * notification_id)}, at most {@code limit}.
     */
    List<InboxRow> byEvents(Collection<UUID> eventIds, int limit) {
        if (eventIds.isEmpty()) {
            return List.of();
        }
        return client.sql(SELECT_ROW + """
                        where event_id in (:eventIds)
                        order by created_at desc, notification_id desc limit :limit
                        """)
                .param("eventIds", List.copyOf(eventIds))
                .param("limit", limit)
                .query(InboxStore::row)
                .list();
    }

    /**
     * A user's rows of the app {@code source}, newest first by {@code (created_at, notification_id)}, strictly
     * before {@code before} when given, at most {@code limit}. Rows stored before sources were kept have none, and
     * are never among them.
     */
    List<InboxRow> history(String userId, String source, @Nullable InboxCursor before, int limit) {
        String after = before == null ? "" : " and (created_at, notification_id) < (:createdAt, :id)";
        var sql = client.sql(SELECT_ROW + " where user_id = :userId and source = :source" + after + """

                        order by created_at desc, notification_id desc limit :limit
                        """)
                .param("userId", userId)
                .param("source", source)
                .param("limit", limit);
        if (before != null) {
            sql = sql.param("createdAt", Timestamp.from(before.createdAt())).param("id", before.id());
        }
        return sql.query(InboxStore::row).list();
    }

    private static final String SELECT_ROW = """
            select event_id, notification_id, source, user_id, type, title, body, occurred_at, created_at, read_at
            from inbox.notifications
            """;

    private static InboxRow row(ResultSet rs, int row) throws SQLException {
        Timestamp read = rs.getTimestamp("read_at");
        return new InboxRow(
                rs.getObject("event_id", UUID.class),
                rs.getObject("notification_id", UUID.class),
                rs.getString("source"),
                rs.getString("user_id"),
                rs.getString("type"),
                rs.getString("title"),
                rs.getString("body"),
                rs.getTimestamp("occurred_at").toInstant(),
                rs.getTimestamp("created_at").toInstant(),
                read == null ? null : read.toInstant());
    }

    /** One of a user's notifications; empty when it does not exist or belongs to someone else. */
    public Optional<InboxItem> find(String userId, UUID notificationId) {
        return client.sql(SELECT + " where user_id = :userId and notification_id = :id")
                .param("userId", userId)
                .param("id", notificationId)
                .query(InboxStore::item)
                .optional();
    }

    /**
     * What a user missed after the notification {@code lastSeen}, oldest first, at most {@code limit}. An
     * unknown id (deleted, or someone else's) replays nothing rather than everything.
     */
    public List<InboxItem> after(String userId, UUID lastSeen, int limit) {
        return client.sql(SELECT + """
                        where user_id = :userId and (created_at, notification_id) > (
                            select created_at, notification_id from inbox.notifications
                            where user_id = :userId and notification_id = :lastSeen)
                        order by created_at, notification_id limit :limit
                        """)
                .param("userId", userId)
                .param("lastSeen", lastSeen)
                .param("limit", limit)
                .query(InboxStore::item)
                .list();
    }

    /**
     * Where one of a user's notifications is in their stream; empty when it is not stored (not yet, or never: it
     * does not exist, was deleted, or is someone else's). A notification stored before positions were recorded
     * has none.
     */
    public Optional<Anchor> anchorOf(String userId, UUID notificationId) {
        return client.sql("""
                        select kafka_partition, kafka_offset from inbox.notifications
                        where user_id = :userId and notification_id = :id
                        """)
                .param("userId", userId)
                .param("id", notificationId)
                .query((rs, row) -> {
                    long offset = rs.getLong("kafka_offset");
                    return new Anchor(
                            notificationId,
                            rs.wasNull() ? null : new StreamPosition(rs.getInt("kafka_partition"), offset));
                })
                .optional();
    }

    /**
     * A user's notifications of {@code partition} with offsets after {@code after} and before {@code before},
     * oldest first: the newest {@code limit} of them when there are more.
     */
    public List<Replayed> replay(String userId, int partition, long after, long before, int limit) {
        List<Replayed> newestFirst = client.sql(SELECT_POSITIONED + """
                        where user_id = :userId and kafka_partition = :partition
                            and kafka_offset > :after and kafka_offset < :before
                        order by kafka_offset desc limit :limit
                        """)
                .param("userId", userId)
                .param("partition", partition)
                .param("after", after)
                .param("before", before)
                .param("limit", limit)
                .query((rs, row) -> new Replayed(
                        item(rs, row), new StreamPosition(rs.getInt("kafka_partition"), rs.getLong("kafka_offset"))))
                .list();
        return newestFirst.reversed();
    }

    /**
     * Whether the user's inbox holds a {@code work_assigned} notification for the work {@code workId}: its {@code
     * data.work_id}, {@code data.workId} or {@code object.id}.
     */
    public boolean hasWorkAssignment(String userId, String workId) {
        return client.sql("""
                        select exists (select 1 from inbox.notifications
                            where user_id = :userId and type = 'work_assigned'
                                and (data ->> 'work_id' = :workId or data ->> 'workId' = :workId
                                    or object_id = :workId))
                        """)
                .param("userId", userId)
                .param("workId", workId)
                .query(Boolean.class)
                .single();
    }

    /**
     * A notification's place in {@code herald.inapp.v1}: its record's partition and offset. A user's notifications
     * are all in one partition (records are keyed by user), so the offset orders them.
     */
    public record StreamPosition(int partition, long offset) {}

    /** A stored notification and, when it was stored with one, its stream position. */
    public record Anchor(UUID id, @Nullable StreamPosition position) {}

    /** A notification to replay, with its stream position. */
    public record Replayed(InboxItem item, StreamPosition position) {}

    /** Page {@code page} (from 1) of a user's notifications, newest first, {@code size} per page. */
    public List<InboxItem> pageNumber(String userId, int page, int size) {
        return client.sql(SELECT + """
                        where user_id = :userId
                        order by created_at desc, notification_id desc limit :limit offset :offset
                        """)
                .param("userId", userId)
                .param("limit", size)
                .param("offset", (long) (page - 1) * size)
                .query(InboxStore::item)
                .list();
    }

    /** How many notifications a user has. */
    public long count(String userId) {
        return client.sql("select count(*) from inbox.notifications where user_id = :userId")
                .param("userId", userId)
                .query(Long.class)
                .single();
    }

    /** Marks one of a user's notifications read; {@code false} when it is not theirs or does not exist. */
    public boolean markRead(String userId, UUID notificationId) {
        return client.sql("""
                        update inbox.notifications set read_at = coalesce(read_at, :now)
                        where user_id = :userId and notification_id = :id
                        """)
                        .param("now", Timestamp.from(clock.instant()))
                        .param("userId", userId)
                        .param("id", notificationId)
                        .update()
                == 1;
    }

    /** Marks all of a user's notifications read; returns how many were unread. */
    public int markAllRead(String userId) {
        return client.sql("""
                        update inbox.notifications set read_at = :now
                        where user_id = :userId and read_at is null
                        """)
                .param("now", Timestamp.from(clock.instant()))
                .param("userId", userId)
                .update();
    }

    /** Deletes one of a user's notifications; {@code false} when it is not theirs or does not exist. */
    public boolean delete(String userId, UUID notificationId) {
        return client.sql("delete from inbox.notifications where user_id = :userId and notification_id = :id")
                        .param("userId", userId)
                        .param("id", notificationId)
                        .update()
                == 1;
    }

    /**
     * Deletes every notification created before {@code cutoff}, and the withdrawals remembered before it (they
     * keep notifications that arrive after their withdrawal out; none is expected that late); returns how many
     * notifications.
     */
    int deleteCreatedBefore(Instant cutoff) {
        client.sql("delete from inbox.withdrawals where created_at < :cutoff")
                .param("cutoff", Timestamp.from(cutoff))
                .update();
        return client.sql("delete from inbox.notifications where created_at < :cutoff")
                .param("cutoff", Timestamp.from(cutoff))
                .update();
    }

    /**
     * A user's unread count and whether their inbox holds {@code notificationId}, in one round trip: what a push's
     * badge needs (dispatch's {@code badge: unread}).
     */
    public UnreadAndStored unreadAndStored(String userId, @Nullable UUID notificationId) {
        return client.sql("""
                        select (select count(*) from inbox.notifications
                                where user_id = :userId and read_at is null) as unread,
                            exists (select 1 from inbox.notifications
                                where user_id = :userId and notification_id = :id) as stored
                        """)
                .param("userId", userId)
                .param("id", notificationId, Types.OTHER)
                .query((rs, row) -> new UnreadAndStored(rs.getLong("unread"), rs.getBoolean("stored")))
                .single();
    }

    /** A user's unread count, and whether a given notification is in their inbox. */
    public record UnreadAndStored(long unread, boolean stored) {}

    /** How many of a user's notifications are unread. */
    public long unreadCount(String userId) {
        return client.sql("select count(*) from inbox.notifications where user_id = :userId and read_at is null")
                .param("userId", userId)
                .query(Long.class)
                .single();
    }

    private static final String SELECT = """
            select notification_id, type, title, body, data::text as data, read_at, created_at, occurred_at,
                link, image_url, collapse_key
            from inbox.notifications
            """;

    private static final String SELECT_POSITIONED = """
            select notification_id, type, title, body, data::text as data, read_at, created_at, occurred_at,
                link, image_url, collapse_key, kafka_partition, kafka_offset, updated_offset
            from inbox.notifications
            """;

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
                occurred == null ? null : occurred.toInstant(),
                rs.getString("link"),
                rs.getString("image_url"),
                rs.getString("collapse_key"));
    }

    /**
     * The newest {@code work_assigned} notification of the user's inbox for the work {@code workId} (its {@code
     * data.work_id}, {@code data.workId} or {@code object.id}): who assigned it, what it is about and which app sent
     * it, for routing the user's answer back; empty when there is none.
     */
    public Optional<WorkAssignment> workAssignment(String userId, String workId) {
        return client.sql("""
                        select actor_id, actor_display_name, object_id, object_kind, object_title, source
                        from inbox.notifications
                        where user_id = :userId and type = 'work_assigned'
                            and (data ->> 'work_id' = :workId or data ->> 'workId' = :workId or object_id = :workId)
                        order by created_at desc, notification_id desc limit 1
                        """)
                .param("userId", userId)
                .param("workId", workId)
                .query((rs, row) -> new WorkAssignment(
                        rs.getString("actor_id"),
                        rs.getString("actor_display_name"),
                        rs.getString("object_id"),
                        rs.getString("object_kind"),
                        rs.getString("object_title"),
                        rs.getString("source")))
                .optional();
    }

    /**
     * A work assignment in a user's inbox, as {@link #workAssignment} finds it.
     *
     * @param actorId who assigned it, or {@code null} for a system event
     * @param source the app that sent it, or {@code null} where the inbox does not know
     */
    public record WorkAssignment(
            @Nullable String actorId,
            @Nullable String actorName,
            @Nullable String objectId,
            @Nullable String objectKind,
            @Nullable String objectTitle,
            @Nullable String source) {}
}
