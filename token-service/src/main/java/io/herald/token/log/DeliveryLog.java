package io.herald.token.log;

import io.herald.events.DeliveryStatus;
import io.herald.events.Ids;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code token.delivery_log} table. One row per event, recipient, channel and delivery; a newer status
 * replaces an older one, an older one arriving late changes nothing. Thread-safe.
 */
@Repository
public class DeliveryLog {

    /** The delivery key of an entry that concerns no particular delivery (a skipped recipient or channel). */
    public static final String NONE = "-";

    /**
     * One entry to write.
     *
     * @param notificationId the notification the entry concerns, or {@code null} if unknown (a status naming
     *     none): it tells which app's event the entry belongs to when two apps used the same event id
     */
    public record Entry(
            UUID eventId,
            String userId,
            String channel,
            String deliveryKey,
            @Nullable String provider,
            DeliveryStatus.Outcome outcome,
            @Nullable String reason,
            Instant at,
            @Nullable UUID notificationId) {

        /** An entry that names no notification. */
        public Entry(
                UUID eventId,
                String userId,
                String channel,
                String deliveryKey,
                @Nullable String provider,
                DeliveryStatus.Outcome outcome,
                @Nullable String reason,
                Instant at) {
            this(eventId, userId, channel, deliveryKey, provider, outcome, reason, at, null);
        }

        /** This entry, naming {@code earlier}'s provider and notification where it names none itself. */
        Entry withProviderOf(Entry earlier) {
            boolean provide = provider == null && earlier.provider() != null;
            boolean notify = notificationId == null && earlier.notificationId() != null;
            return !provide && !notify
                    ? this
                    : new Entry(
                            eventId,
                            userId,
                            channel,
                            deliveryKey,
                            provide ? earlier.provider() : provider,
                            outcome,
                            reason,
                            at,
                            notify ? earlier.notificationId() : notificationId);
        }
    }

    /** One entry as the API shows it. */
    public record Row(
            String userId,
            String channel,
            @Nullable String provider,
            String outcome,
            @Nullable String reason,
            Instant updatedAt) {}

    private static final String UPSERT = """
            insert into token.delivery_log (event_id, user_id, channel, delivery_key, provider, outcome, reason, updated_at,
                notification_id)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?)
            on conflict (event_id, user_id, channel, delivery_key, day) do update set
                provider = coalesce(excluded.provider, token.delivery_log.provider), outcome = excluded.outcome,
                reason = excluded.reason, updated_at = excluded.updated_at,
                notification_id = coalesce(excluded.notification_id, token.delivery_log.notification_id)
            where excluded.updated_at >= token.delivery_log.updated_at
            """;

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;

    DeliveryLog(JdbcClient jdbc, JdbcTemplate batch) {
        this.jdbc = jdbc;
        this.batch = batch;
    }

    /**
     * Writes entries in one batch. The driver sends it as multi-row statements ({@code reWriteBatchedInserts}),
     * and one statement may not update a row twice, so entries for the same row are first folded into one. Each row
     * goes to the partition of the day the database writes it ({@code day}'s default, {@link LogPartitions}): an
     * entry updates its row within the day, and one written on a later day starts a row of that day, which the
     * reading side takes as the newer.
     */
    public void write(List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        batch.batchUpdate(UPSERT, folded(entries), 1000, (ps, e) -> {
            ps.setObject(1, e.eventId());
            ps.setString(2, e.userId());
            ps.setString(3, e.channel());
            ps.setString(4, e.deliveryKey());
            ps.setString(5, e.provider());
            ps.setString(6, wire(e.outcome()));
            ps.setString(7, e.reason());
            ps.setTimestamp(8, Timestamp.from(e.at()));
            ps.setObject(9, e.notificationId());
        });
    }

    /**
     * One entry per row, as if they were written one after the other: the newest wins (the later one on equal
     * times, an older one changes nothing), keeping a provider an earlier entry named when the newest names
     * none. In the order each row first appears.
     */
    static List<Entry> folded(List<Entry> entries) {
        Map<List<Object>, Entry> rows = new LinkedHashMap<>(entries.size() * 2);
        for (Entry e : entries) {
            rows.merge(List.of(e.eventId(), e.userId(), e.channel(), e.deliveryKey()), e, DeliveryLog::then);
        }
        return rows.size() == entries.size() ? entries : new ArrayList<>(rows.values());
    }

    private static Entry then(Entry earlier, Entry later) {
        return later.at().isBefore(earlier.at()) ? earlier : later.withProviderOf(earlier);
    }

    /**
     * What became of an event, by recipient and channel; empty when the event is unknown. {@code held}: its
     * entries not written yet ({@link PlannedPushes}), shown where the table has no row for them.
     *
     * <p>{@code source}: show only that app's entries, or {@code null} for all. Two apps may use the same event
     * id; an entry is an app's when its notification id is the one that app's event gives its recipient ({@link
     * Ids#notificationId(UUID, String, String)}); an entry that names no notification (written before entries
     * named one, or a status without one) is an app's only when no other app's event was routed under that id
     * ({@code routedBy}, from {@link #sourcesOf}).
     */
    public List<Row> of(UUID eventId, List<Entry> held, @Nullable String source, Set<String> routedBy) {
        // by user, channel and delivery key, as before
        Map<List<String>, Stored> rows = new TreeMap<>(Comparator.<List<String>, String>comparing(k -> k.get(0))
                .thenComparing(k -> k.get(1))
                .thenComparing(k -> k.get(2)));
        // A row of each day it was written on (LogPartitions), and rows from before the log was partitioned while
        // they are kept: the newest of each wins, with what only older ones name.
        boolean legacy = jdbc.sql("select to_regclass('token.delivery_log_legacy') is not null")
                .query(Boolean.class)
                .single();
        String columns = "user_id, channel, delivery_key, provider, outcome, reason, updated_at, notification_id";
        jdbc.sql("select " + columns + " from token.delivery_log where event_id = :id"
                        + (legacy
                                ? " union all select " + columns
                                        + " from token.delivery_log_legacy where event_id = :id"
                                : ""))
                .param("id", eventId)
                .query(rs -> {
                    var row = new Stored(
                            new Row(
                                    rs.getString("user_id"),
                                    rs.getString("channel"),
                                    rs.getString("provider"),
                                    rs.getString("outcome"),
                                    rs.getString("reason"),
                                    rs.getTimestamp("updated_at").toInstant()),
                            rs.getObject("notification_id", UUID.class));
                    rows.merge(
                            List.of(row.row().userId(), row.row().channel(), rs.getString("delivery_key")),
                            row,
                            Stored::then);
                });
        for (Entry e : held) {
            rows.putIfAbsent(
                    List.of(e.userId(), e.channel(), e.deliveryKey()),
                    new Stored(
                            new Row(e.userId(), e.channel(), e.provider(), wire(e.outcome()), e.reason(), e.at()),
                            e.notificationId()));
        }
        return rows.values().stream()
                .filter(stored -> source == null || stored.belongsTo(eventId, source, routedBy))
                .map(Stored::row)
                .toList();
    }

    /** A row as stored, with the notification it names (null if none). */
    private record Stored(Row row, @Nullable UUID notificationId) {

        /** Two rows of one entry: the newer one, with what only the older one names. */
        Stored then(Stored later) {
            boolean thisIsNewer = later.row().updatedAt().isBefore(row.updatedAt());
            Stored newer = thisIsNewer ? this : later;
            Stored older = thisIsNewer ? later : this;
            Row r = newer.row();
            return new Stored(
                    r.provider() != null
                            ? r
                            : new Row(
                                    r.userId(),
                                    r.channel(),
                                    older.row().provider(),
                                    r.outcome(),
                                    r.reason(),
                                    r.updatedAt()),
                    newer.notificationId() != null ? newer.notificationId() : older.notificationId());
        }

        boolean belongsTo(UUID eventId, String source, Set<String> routedBy) {
            if (notificationId != null) {
                return notificationId.equals(Ids.notificationId(eventId, source, row.userId()));
            }
            return routedBy.size() == 1 && routedBy.contains(source);
        }
    }

    /** The apps whose events were routed under this id: one, unless two apps used the same event id. */
    public Set<String> sourcesOf(UUID eventId) {
        return Set.copyOf(jdbc.sql("select source from token.routed_events where event_id = :id")
                .param("id", eventId)
                .query(String.class)
                .list());
    }

    static String wire(DeliveryStatus.Outcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT);
    }
}
