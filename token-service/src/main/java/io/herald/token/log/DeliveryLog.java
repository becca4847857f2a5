package io.herald.token.log;

import io.herald.events.DeliveryStatus;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code token.delivery_log} table: what token-service itself knows of an event's deliveries — the recipients
 * and channels routing skipped, with the reason, and the statuses on {@code herald.delivery-status.v1} when the
 * services publish them. One row per event, recipient, channel and delivery; a newer status replaces an older one,
 * an older one arriving late changes nothing. A planned delivery has no row: {@link EventLog} composes the log from
 * these rows, dispatch-service's sends and the inbox. Thread-safe.
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
     * Settles the {@code deferred} entries of a push that will not be sent after all (withdrawn, updated, cancelled
     * while it waited): they become {@code skipped} with {@code reason}. Only the entries naming one of {@code
     * notificationIds} (the event's app's) change.
     */
    public void settleDeferred(
            UUID eventId, Collection<String> users, Collection<UUID> notificationIds, String reason, Instant at) {
        if (users.isEmpty()) {
            return;
        }
        jdbc.sql("""
                        update token.delivery_log set outcome = 'skipped', reason = :reason, updated_at = :at
                        where event_id = :event and user_id = any(:users) and notification_id = any(:ids)
                            and outcome = 'deferred' and updated_at <= :at
                        """)
                .param("reason", reason)
                .param("at", Timestamp.from(at))
                .param("event", eventId)
                .param("users", users.toArray(String[]::new))
                .param("ids", notificationIds.toArray(UUID[]::new))
                .update();
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
     * One row of the log as stored: the newest of its rows (one a day it was written on, {@link LogPartitions}),
     * with the provider and notification only an older one names.
     *
     * @param deliveryKey the delivery id of a push, the notification id of an in-app entry or a skip ({@link #NONE}
     *     for a status that names neither)
     * @param notificationId the notification it concerns, null if it names none
     */
    public record Logged(
            String userId,
            String channel,
            String deliveryKey,
            @Nullable String provider,
            String outcome,
            @Nullable String reason,
            Instant updatedAt,
            @Nullable UUID notificationId) {

        /** Two rows of one entry: the newer one, with what only the older one names. */
        Logged then(Logged later) {
            boolean thisIsNewer = later.updatedAt().isBefore(updatedAt);
            Logged newer = thisIsNewer ? this : later;
            Logged older = thisIsNewer ? later : this;
            return new Logged(
                    newer.userId(),
                    newer.channel(),
                    newer.deliveryKey(),
                    newer.provider() != null ? newer.provider() : older.provider(),
                    newer.outcome(),
                    newer.reason(),
                    newer.updatedAt(),
                    newer.notificationId() != null ? newer.notificationId() : older.notificationId());
        }
    }

    /**
     * The log's rows of an event (skips, and statuses when dispatch-service and ws-fanout-service publish them),
     * one per recipient, channel and delivery key; empty when it has none.
     */
    public List<Logged> of(UUID eventId) {
        // Rows from before the log was partitioned are read while they are kept.
        boolean legacy = jdbc.sql("select to_regclass('token.delivery_log_legacy') is not null")
                .query(Boolean.class)
                .single();
        String columns = "user_id, channel, delivery_key, provider, outcome, reason, updated_at, notification_id";
        Map<List<String>, Logged> rows = new LinkedHashMap<>();
        jdbc.sql("select " + columns + " from token.delivery_log where event_id = :id"
                        + (legacy
                                ? " union all select " + columns
                                        + " from token.delivery_log_legacy where event_id = :id"
                                : ""))
                .param("id", eventId)
                .query(rs -> {
                    var row = new Logged(
                            rs.getString("user_id"),
                            rs.getString("channel"),
                            rs.getString("delivery_key"),
                            rs.getString("provider"),
                            rs.getString("outcome"),
                            rs.getString("reason"),
                            rs.getTimestamp("updated_at").toInstant(),
                            rs.getObject("notification_id", UUID.class));
                    rows.merge(List.of(row.userId(), row.channel(), row.deliveryKey()), row, Logged::then);
                });
        return List.copyOf(rows.values());
    }

    static String wire(DeliveryStatus.Outcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT);
    }
}
