package io.herald.token.routing;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code token.routed_events} table: event ids already routed, so a redelivery is skipped. */
@Repository
class RoutedEvents {

    private final JdbcClient jdbc;
    private final Clock clock;

    RoutedEvents(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    boolean wasRouted(UUID eventId) {
        return jdbc.sql("select exists (select 1 from token.routed_events where event_id = :id)")
                .param("id", eventId)
                .query(Boolean.class)
                .single();
    }

    void markRouted(UUID eventId) {
        jdbc.sql("insert into token.routed_events (event_id, routed_at) values (:id, :at) on conflict do nothing")
                .param("id", eventId)
                .param("at", Timestamp.from(clock.instant()))
                .update();
    }
}
