package io.herald.token.log;

import io.herald.token.routing.ScheduledEvents;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The parts of an event that routing holds for later ({@code token.scheduled_events}: a {@code deliverAt} event held
 * whole, a {@code deliverAtLocal} event's part per instant, a push deferred past quiet hours), as the delivery log
 * shows them: until it is due, a scheduled event is known, not unknown. Thread-safe.
 */
@Component
class ScheduledParts {

    /**
     * One part waiting.
     *
     * @param kind {@code scheduled} (a deliverAt), {@code local-time} (a deliverAtLocal part) or {@code quiet-hours}
     *     (pushes deferred past their recipients' quiet hours)
     * @param deliverAt when it is due
     * @param recipients how many recipients the part is for
     */
    record Waiting(String kind, Instant deliverAt, int recipients) {}

    /** A part with the app that holds it, for attribution. */
    record Held(String source, Waiting waiting) {}

    /** At most this many parts are listed (one per distinct instant: time zones, quiet-hour ends). */
    static final int MAX_LISTED = 1_000;

    private final JdbcClient jdbc;

    ScheduledParts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The event's parts still waiting, of app {@code source} only if given, the earliest due first. */
    List<Held> of(UUID eventId, @Nullable String source) {
        return jdbc.sql("""
                        select source, part, due_at, coalesce(jsonb_array_length(event -> 'recipients'), 0) recipients
                        from token.scheduled_events
                        where event_id = :eventId and (cast(:source as text) is null or source = :source)
                        order by due_at, part
                        limit :max
                        """)
                .param("eventId", eventId)
                .param("source", source)
                .param("max", MAX_LISTED)
                .query((rs, n) -> new Held(
                        rs.getString("source"),
                        new Waiting(
                                ScheduledEvents.Held.kindOf(rs.getString("part")),
                                rs.getTimestamp("due_at").toInstant(),
                                rs.getInt("recipients"))))
                .list();
    }
}
