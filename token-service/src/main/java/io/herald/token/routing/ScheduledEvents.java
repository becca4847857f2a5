package io.herald.token.routing;

import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.token.log.DeliveryLog;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code token.scheduled_events} table: events whose {@code deliverAt} was later than routing's clock when they
 * arrived, held until due. One row per app, event id and part: an event held whole (a {@code deliverAt}) is one part
 * ({@code ""}); a {@code deliverAtLocal} event is held as one part per distinct instant its recipients' local time
 * falls on ({@link LocalTimes}), and pushes deferred past quiet hours as parts of their own ({@link Held#quiet}). The
 * first row held under a part stays (a redelivered or replayed record changes nothing).
 */
@Repository
public class ScheduledEvents {

    /**
     * An event taken from the table to be routed, with the trace it arrived with.
     *
     * @param deferredPush whether it is a push deferred past quiet hours ({@link Held#quiet}): the rest of its event
     *     was routed when it was deferred
     */
    record Due(DomainEvent event, @Nullable String traceparent, boolean deferredPush) {}

    /**
     * An event, or a part of one, to hold until its {@code deliverAt}.
     *
     * @param part its name within the event: {@code ""} for an event held whole
     */
    public record Held(DomainEvent event, String part) {

        private static final String LOCAL = "local:";
        private static final String QUIET = "quiet:";

        /**
         * What a held row is, by its part's name, as the delivery log shows it: {@code local-time} (a {@code
         * deliverAtLocal} part), {@code quiet-hours} (pushes deferred past quiet hours) or {@code scheduled} (an event
         * held whole).
         */
        public static String kindOf(String part) {
            if (part.startsWith(LOCAL)) {
                return "local-time";
            }
            return part.startsWith(QUIET) ? "quiet-hours" : "scheduled";
        }

        /** An event held whole until its {@code deliverAt}. */
        static Held whole(DomainEvent event) {
            return new Held(event, "");
        }

        /** A part of a {@code deliverAtLocal} event: some of its recipients, due at one instant. */
        static Held local(DomainEvent part) {
            return new Held(part, LOCAL + digest(part));
        }

        /** A push deferred past quiet hours: the event for some recipients, push only, due when their quiet ends. */
        static Held quiet(DomainEvent push) {
            return new Held(push, QUIET + digest(push));
        }

        /**
         * Names a part by its instant, channels and recipients: the same part of an event routed again gets the same
         * name (and is held once), two parts of one event get two.
         */
        private static String digest(DomainEvent part) {
            var text = new StringBuilder().append(part.deliverAt()).append('\u0000');
            new TreeSet<>(part.channels() == null ? Set.of() : part.channels())
                    .forEach(c -> text.append(c.wireName()).append(','));
            part.recipients().stream()
                    .sorted()
                    .forEach(r -> text.append('\u0000').append(r));
            return UUID.nameUUIDFromBytes(text.toString().getBytes(StandardCharsets.UTF_8))
                    .toString();
        }
    }

    private static final String HOLD = """
            insert into token.scheduled_events (source, event_id, part, due_at, event, traceparent)
            values (?, ?, ?, ?, ?::jsonb, ?)
            on conflict do nothing""";

    /**
     * Claims the earliest due rows no other transaction holds, and deletes them: they are gone for good only if the
     * transaction commits, and locked (skipped by the other instances) until it ends.
     */
    private static final String TAKE_DUE = """
            delete from token.scheduled_events s
            using (select source, event_id, part from token.scheduled_events
                   where due_at <= now()
                   order by due_at
                   limit :limit
                   for update skip locked) d
            where s.source = d.source and s.event_id = d.event_id and s.part = d.part
            returning s.event::text as event, s.traceparent, s.part""";

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;

    ScheduledEvents(JdbcClient jdbc, JdbcTemplate batch) {
        this.jdbc = jdbc;
        this.batch = batch;
    }

    /** Holds each event or part (which has a {@code deliverAt}) until its {@code deliverAt}, in one batch. */
    void hold(List<Held> held, Map<UUID, String> traces) {
        if (held.isEmpty()) {
            return;
        }
        batch.batchUpdate(HOLD, held, 1000, (ps, h) -> {
            DomainEvent e = h.event();
            ps.setString(1, e.source());
            ps.setObject(2, e.eventId());
            ps.setString(3, h.part());
            ps.setTimestamp(4, Timestamp.from(Objects.requireNonNull(e.deliverAt())));
            ps.setString(5, HeraldJson.mapper().writeValueAsString(e));
            ps.setString(6, traces.get(e.eventId()));
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
                        rs.getString("traceparent"),
                        rs.getString("part").startsWith(Held.QUIET)))
                .list();
    }

    /**
     * A part taken out of the table before it was due.
     *
     * @param deferredPush whether it was a push deferred past quiet hours (its recipients' log says {@code deferred})
     */
    record Cancelled(DomainEvent event, boolean deferredPush) {}

    /**
     * Cancels the app's event while it waits: every part of it (those of a {@code deliverAtLocal} not yet due, and
     * its pushes deferred past quiet hours), or only its deferred pushes. An event being routed at this moment is
     * waited for, and is then delivered, not cancelled.
     *
     * @return the parts cancelled: none when none waits under this id for this app (delivered, never scheduled,
     *     cancelled before, or another app's)
     */
    List<Cancelled> cancel(String source, UUID eventId, boolean deferredPushesOnly) {
        return jdbc.sql("delete from token.scheduled_events where source = ? and event_id = ?"
                        + (deferredPushesOnly ? " and part like '" + Held.QUIET + "%'" : "")
                        + " returning part, event::text as event")
                .params(source, eventId)
                .query((rs, n) -> new Cancelled(
                        HeraldJson.mapper().readValue(rs.getString("event"), DomainEvent.class),
                        rs.getString("part").startsWith(Held.QUIET)))
                .list();
    }

    /**
     * Cancels the pushes still deferred past quiet hours of the earlier events these changes name (by app and event
     * id), in one statement.
     *
     * @param sources the apps of the earlier events, in the order of {@code eventIds}
     */
    List<Cancelled> cancelDeferredPushes(List<String> sources, List<UUID> eventIds) {
        if (eventIds.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("""
                        delete from token.scheduled_events s
                        using unnest(cast(:sources as text[]), cast(:ids as uuid[])) as c(source, event_id)
                        where s.source = c.source and s.event_id = c.event_id and s.part like 'quiet:%'
                        returning s.event::text as event
                        """)
                .param("sources", sources.toArray(String[]::new))
                .param("ids", eventIds.toArray(UUID[]::new))
                .query((rs, n) ->
                        new Cancelled(HeraldJson.mapper().readValue(rs.getString("event"), DomainEvent.class), true))
                .list();
    }

    /** Settles the log's {@code deferred} entries of the cancelled deferred pushes ({@link DeliveryLog#settleDeferred}). */
    static void settle(DeliveryLog log, List<Cancelled> cancelled, String reason, Instant at) {
        for (Cancelled c : cancelled) {
            if (c.deferredPush()) {
                DomainEvent e = c.event();
                log.settleDeferred(
                        e.eventId(),
                        e.recipients(),
                        e.recipients().stream()
                                .map(u -> Ids.notificationId(e.eventId(), e.source(), u))
                                .toList(),
                        reason,
                        at);
            }
        }
    }
}
