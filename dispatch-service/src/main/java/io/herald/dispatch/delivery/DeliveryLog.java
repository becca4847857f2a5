package io.herald.dispatch.delivery;

import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code dispatch.deliveries} table: what became of each delivery id. Read and written a poll's worth at a
 * time, one query and one JDBC batch, never a round trip per delivery. Thread-safe.
 */
@Repository
public class DeliveryLog {

    static final String SENT = "sent";

    /** What became of one delivery, to be stored. */
    record Entry(
            PushDelivery delivery,
            String outcome,
            @Nullable String providerMessageId,
            @Nullable String reason) {}

    private final JdbcClient jdbc;
    private final NamedParameterJdbcTemplate named;
    private final Clock clock;

    DeliveryLog(JdbcClient jdbc, NamedParameterJdbcTemplate named, Clock clock) {
        this.jdbc = jdbc;
        this.named = named;
        this.clock = clock;
    }

    /** Which of these deliveries the provider already accepted (one query). */
    Set<UUID> alreadySent(Collection<UUID> deliveryIds) {
        if (deliveryIds.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(jdbc.sql(
                        "select delivery_id from dispatch.deliveries where delivery_id = any(:ids) and outcome = 'sent'")
                .param("ids", deliveryIds.toArray(UUID[]::new))
                .query(UUID.class)
                .list());
    }

    /** Stores what became of these deliveries (one JDBC batch). */
    void record(List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        var now = Timestamp.from(clock.instant());
        List<SqlParameterSource> batch = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            PushDelivery delivery = entry.delivery();
            batch.add(new MapSqlParameterSource()
                    .addValue("id", delivery.deliveryId())
                    .addValue("eventId", delivery.eventId())
                    .addValue("userId", delivery.userId())
                    .addValue("provider", delivery.provider().name().toLowerCase(Locale.ROOT))
                    .addValue("outcome", entry.outcome())
                    .addValue("messageId", entry.providerMessageId())
                    .addValue("reason", entry.reason())
                    .addValue("now", now)
                    // Only Expo needs the token kept (to report a dead one from a later receipt).
                    .addValue("token", delivery.provider() == Provider.EXPO ? delivery.token() : null));
        }
        named.batchUpdate("""
                insert into dispatch.deliveries (delivery_id, event_id, user_id, provider, outcome,
                    provider_message_id, reason, updated_at, token)
                values (:id, :eventId, :userId, :provider, :outcome, :messageId, :reason, :now, :token)
                on conflict (delivery_id) do update set outcome = excluded.outcome,
                    provider_message_id = excluded.provider_message_id, reason = excluded.reason,
                    attempts = dispatch.deliveries.attempts + 1, updated_at = excluded.updated_at
                """, batch.toArray(SqlParameterSource[]::new));
    }
}
