package io.herald.token.log;

import io.herald.events.DeliveryStatus;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    /** One entry to write. */
    public record Entry(
            UUID eventId,
            String userId,
            String channel,
            String deliveryKey,
            @Nullable String provider,
            DeliveryStatus.Outcome outcome,
            @Nullable String reason,
            Instant at) {

        /** This entry, naming {@code earlier}'s provider when it names none itself. */
        Entry withProviderOf(Entry earlier) {
            return provider != null || earlier.provider() == null
                    ? this
                    : new Entry(eventId, userId, channel, deliveryKey, earlier.provider(), outcome, reason, at);
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
            insert into token.delivery_log (event_id, user_id, channel, delivery_key, provider, outcome, reason, updated_at)
            values (?, ?, ?, ?, ?, ?, ?, ?)
            on conflict (event_id, user_id, channel, delivery_key) do update set
                provider = coalesce(excluded.provider, token.delivery_log.provider), outcome = excluded.outcome,
                reason = excluded.reason, updated_at = excluded.updated_at
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
     * and one statement may not update a row twice, so entries for the same row are first folded into one.
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
     */
    public List<Row> of(UUID eventId, List<Entry> held) {
        // by user, channel and delivery key, as before
        Map<List<String>, Row> rows = new TreeMap<>(Comparator.<List<String>, String>comparing(k -> k.get(0))
                .thenComparing(k -> k.get(1))
                .thenComparing(k -> k.get(2)));
        jdbc.sql("""
                        select user_id, channel, delivery_key, provider, outcome, reason, updated_at
                        from token.delivery_log where event_id = :id
                        """).param("id", eventId).query(rs -> {
            rows.put(
                    List.of(rs.getString("user_id"), rs.getString("channel"), rs.getString("delivery_key")),
                    new Row(
                            rs.getString("user_id"),
                            rs.getString("channel"),
                            rs.getString("provider"),
                            rs.getString("outcome"),
                            rs.getString("reason"),
                            rs.getTimestamp("updated_at").toInstant()));
        });
        for (Entry e : held) {
            rows.putIfAbsent(
                    List.of(e.userId(), e.channel(), e.deliveryKey()),
                    new Row(e.userId(), e.channel(), e.provider(), wire(e.outcome()), e.reason(), e.at()));
        }
        return List.copyOf(rows.values());
    }

    /** The app that published a routed event, if it was routed. */
    public java.util.Optional<String> sourceOf(UUID eventId) {
        return jdbc.sql("select source from token.routed_events where event_id = :id")
                .param("id", eventId)
                .query(String.class)
                .optional();
    }

    static String wire(DeliveryStatus.Outcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT);
    }
}
