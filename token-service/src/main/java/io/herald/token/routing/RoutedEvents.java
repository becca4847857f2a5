package io.herald.token.routing;

import io.herald.events.DomainEvent;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code token.routed_events} table: event ids already routed, so a redelivery is skipped. */
@Repository
class RoutedEvents {

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final Clock clock;

    RoutedEvents(JdbcClient jdbc, JdbcTemplate batch, Clock clock) {
        this.jdbc = jdbc;
        this.batch = batch;
        this.clock = clock;
    }

    /** Which of {@code eventIds} were routed before, in one query. */
    Set<UUID> routedAmong(List<UUID> eventIds) {
        return new HashSet<>(jdbc.sql("select event_id from token.routed_events where event_id in (:ids)")
                .param("ids", eventIds)
                .query(UUID.class)
                .list());
    }

    void markRouted(List<DomainEvent> events) {
        Timestamp now = Timestamp.from(clock.instant());
        batch.batchUpdate(
                "insert into token.routed_events (event_id, routed_at, source) values (?, ?, ?) on conflict do nothing",
                events,
                1000,
                (ps, event) -> {
                    ps.setObject(1, event.eventId());
                    ps.setTimestamp(2, now);
                    ps.setString(3, event.source());
                });
    }
}
