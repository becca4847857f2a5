package io.herald.token.routing;

import io.herald.events.Channel;
import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code token.routed_events} table: the events already routed, each marked by the app that published it
 * and its event id, so a redelivery is skipped. Event ids are scoped by app: another app's event under the same
 * id is routed too (it cannot claim the first one's id), with ids of its own downstream ({@link
 * io.herald.events.Ids}). Each mark keeps a hash of the event's content: the same app's event id seen again with
 * other content is not a redelivery but a second event under a used id, and is dead-lettered with {@value
 * #EVENT_ID_CONFLICT} rather than dropped unseen. Thread-safe.
 */
@Repository
class RoutedEvents {

    /** The dead-letter reason code of an event whose app already used its id for an event with other content. */
    static final String EVENT_ID_CONFLICT = "event-id-conflict";

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final Clock clock;

    RoutedEvents(JdbcClient jdbc, JdbcTemplate batch, Clock clock) {
        this.jdbc = jdbc;
        this.batch = batch;
        this.clock = clock;
    }

    /** An event's identity: the app that published it and its id. */
    record Key(String source, UUID eventId) {
        static Key of(DomainEvent event) {
            return new Key(event.source(), event.eventId());
        }
    }

    /** An event that reuses its app's event id for other content, and why it is refused. */
    record Conflict(DomainEvent event, String reason) {}

    /**
     * A poll's events, sorted.
     *
     * @param fresh the events to route, in poll order, each once
     * @param hashes the content hash of each of {@code fresh}, to be kept with its mark
     * @param conflicts the events whose app already used their id for other content
     * @param repeats how many events were skipped as redeliveries
     */
    record Sorted(List<DomainEvent> fresh, List<byte[]> hashes, List<Conflict> conflicts, int repeats) {}

    /**
     * Sorts a poll's events by what was routed before, in one query: an event whose app and id are new is fresh
     * (once, if the poll holds it twice); one routed before with the same content is a repeat; one routed before
     * with other content (or met earlier in the poll with other content) is a conflict. A mark written before
     * marks kept hashes has none, and matches any content.
     */
    Sorted sort(List<DomainEvent> events) {
        Map<Key, byte @Nullable []> seen = routedAmong(events);
        List<DomainEvent> fresh = new ArrayList<>();
        List<byte[]> hashes = new ArrayList<>();
        List<Conflict> conflicts = new ArrayList<>();
        int repeats = 0;
        for (DomainEvent event : events) {
            Key key = Key.of(event);
            byte[] hash = contentHash(event);
            if (!seen.containsKey(key)) {
                seen.put(key, hash);
                fresh.add(event);
                hashes.add(hash);
                continue;
            }
            byte[] before = seen.get(key);
            if (before == null || Arrays.equals(before, hash)) {
                repeats++;
            } else {
                conflicts.add(new Conflict(
                        event,
                        "event " + event.eventId() + " of " + event.source()
                                + " was routed before with other content: an event id names one event of an app"));
            }
        }
        return new Sorted(fresh, hashes, conflicts, repeats);
    }

    /** The marks among the events' app and id pairs, with their hashes (null for a mark without one). */
    private Map<Key, byte @Nullable []> routedAmong(List<DomainEvent> events) {
        Map<Key, byte @Nullable []> marks = new HashMap<>();
        if (events.isEmpty()) {
            return marks;
        }
        // By event id (the key's first column), then matched by app here: one id rarely has more than one app.
        List<UUID> ids = events.stream().map(DomainEvent::eventId).distinct().toList();
        var wanted = new HashSet<Key>();
        events.forEach(e -> wanted.add(Key.of(e)));
        jdbc.sql("select event_id, source, content_hash from token.routed_events where event_id in (:ids)")
                .param("ids", ids)
                .query(rs -> {
                    Key key = new Key(rs.getString("source"), rs.getObject("event_id", UUID.class));
                    if (wanted.contains(key)) {
                        marks.put(key, rs.getBytes("content_hash"));
                    }
                });
        return marks;
    }

    /** Marks the fresh events of a sorted poll as routed, each with its content hash. */
    void markRouted(Sorted sorted) {
        Timestamp now = Timestamp.from(clock.instant());
        List<Integer> positions =
                IntStream.range(0, sorted.fresh().size()).boxed().toList();
        batch.batchUpdate("""
                insert into token.routed_events (event_id, source, routed_at, content_hash) values (?, ?, ?, ?)
                on conflict do nothing
                """, positions, 1000, (ps, i) -> {
            DomainEvent event = sorted.fresh().get(i);
            ps.setObject(1, event.eventId());
            ps.setString(2, event.source());
            ps.setTimestamp(3, now);
            ps.setBytes(4, sorted.hashes().get(i));
        });
    }

    /**
     * What one batch of {@link #deleteRoutedBefore} did.
     *
     * @param deleted how many marks it deleted
     * @param newest the newest of them, where the next batch starts, or null if none
     */
    record Pruned(int deleted, @Nullable Instant newest) {}

    /**
     * Deletes up to {@code limit} marks routed before {@code cutoff} and not before {@code from}, oldest first, in
     * one statement (its own transaction). {@code from} lets batches walk the index forward instead of passing over
     * the entries of the marks deleted before them again.
     */
    Pruned deleteRoutedBefore(Instant cutoff, Instant from, int limit) {
        List<Instant> deleted = jdbc.sql("""
                        delete from token.routed_events where ctid = any(array(
                            select ctid from token.routed_events where routed_at >= :from and routed_at < :cutoff
                            order by routed_at limit :limit))
                        returning routed_at
                        """)
                .param("from", Timestamp.from(from))
                .param("cutoff", Timestamp.from(cutoff))
                .param("limit", limit)
                .query((rs, row) -> rs.getTimestamp(1).toInstant())
                .list();
        return new Pruned(
                deleted.size(), deleted.stream().max(Instant::compareTo).orElse(null));
    }

    /**
     * SHA-256 of the event's content as normalized JSON: every field but its identity ({@code eventId}, {@code
     * source}) and the two a producer fills in when absent ({@code schemaVersion}, {@code occurredAt}: the gateway
     * stamps a retried request's {@code occurredAt} anew), with the data map's keys and the channels in order.
     */
    static byte[] contentHash(DomainEvent event) {
        Map<String, @Nullable Object> content = new LinkedHashMap<>();
        content.put("type", event.type());
        content.put("actor", event.actor());
        content.put("recipients", event.recipients());
        content.put("object", event.object());
        content.put("data", new TreeMap<>(event.data()));
        content.put("title", event.title());
        content.put("body", event.body());
        content.put("priority", event.priority());
        content.put("ttlSeconds", event.ttlSeconds());
        content.put("collapseKey", event.collapseKey());
        content.put(
                "channels",
                event.channels() == null || event.channels().isEmpty()
                        ? null
                        : event.channels().stream().map(Channel::name).sorted().toList());
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(HeraldJson.mapper().writeValueAsBytes(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK ships SHA-256", e);
        }
    }
}
