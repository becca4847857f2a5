package io.herald.token.routing;

import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code token.scheduled_events} table: events whose {@code deliverAt} was later than routing's clock when they
 * arrived, held until due. One row per app and event id; the first one held under an id stays (a redelivered or
 * replayed record changes nothing).
 */
@Repository
class ScheduledEvents {

    /** An event taken from the table to be routed, with the trace it arrived with. */
    record Due(DomainEvent event, @Nullable String traceparent) {}

    private static final String HOLD = """
            insert into token.scheduled_events (source, event_id, due_at, event, traceparent)
            values (?, ?, ?, ?::jsonb, ?)
            on conflict do nothing""";

    /**
     * Claims the earliest due rows no other transaction holds, and deletes them: they are gone for good only if the
     * transaction commits, and locked (skipped by the other instances) until it ends.
     */
    private static final String TAKE_DUE = """
            delete from token.scheduled_events s
            using (select source, event_id from token.scheduled_events
                   where due_at <= now()
                   order by due_at
                   limit :limit
                   for update skip locked) d
            where s.source = d.source and s.event_id = d.event_id
            returning s.event::text as event, s.traceparent""";

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;

    ScheduledEvents(JdbcClient jdbc, JdbcTemplate batch) {
        this.jdbc = jdbc;
        this.batch = batch;
    }

    /** Holds each event (which has a {@code deliverAt}) until its {@code deliverAt}, in one batch. */
    void hold(List<DomainEvent> events, Map<UUID, String> traces) {
        if (events.isEmpty()) {
            return;
        }
        batch.batchUpdate(HOLD, events, 1000, (ps, e) -> {
            ps.setString(1, e.source());
            ps.setObject(2, e.eventId());
            ps.setTimestamp(3, Timestamp.from(Objects.requireNonNull(e.deliverAt())));
            ps.setString(4, HeraldJson.mapper().writeValueAsString(e));
            ps.setString(5, traces.get(e.eventId()));
        });
    }

    /**
     * Takes up to {@code limit} due events, earliest first, deleting their rows. Only within a transaction: the
     * caller routes them before it commits, and a rollback puts them back.
     */
    List<Due> takeDue(int limit) {
        return jdbc.sql(TAKE_DUE)
                .param("limit", limit)
                .query((rs, n) -> new Due(
                        HeraldJson.mapper().readValue(rs.getString("event"), DomainEvent.class),
                        rs.getString("traceparent")))
                .list();
    }

    /**
     * Cancels the app's event while it waits.
     *
     * @return whether a waiting event was cancelled: false when none waits under this id for this app (delivered,
     *     never scheduled, cancelled before, or another app's); an event being routed at this moment is waited for,
     *     and is then delivered, not cancelled
     */
    boolean cancel(String source, UUID eventId) {
        return jdbc.sql("delete from token.scheduled_events where source = ? and event_id = ?")
                        .params(source, eventId)
                        .update()
                > 0;
    }
}
