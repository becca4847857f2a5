package io.herald.dispatch.delivery;

import io.herald.events.PushDelivery;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code dispatch.deliveries} table: what became of each delivery id. Thread-safe. */
@Repository
public class DeliveryLog {

    static final String SENT = "sent";

    private final JdbcClient jdbc;
    private final Clock clock;

    DeliveryLog(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Whether the provider already accepted this delivery. */
    boolean alreadySent(UUID deliveryId) {
        return jdbc.sql(
                        "select exists (select 1 from dispatch.deliveries where delivery_id = :id and outcome = 'sent')")
                .param("id", deliveryId)
                .query(Boolean.class)
                .single();
    }

    void record(PushDelivery delivery, String outcome, @Nullable String providerMessageId, @Nullable String reason) {
        jdbc.sql("""
                        insert into dispatch.deliveries (delivery_id, event_id, user_id, provider, outcome,
                            provider_message_id, reason, updated_at, token)
                        values (:id, :eventId, :userId, :provider, :outcome, :messageId, :reason, :now, :token)
                        on conflict (delivery_id) do update set outcome = excluded.outcome,
                            provider_message_id = excluded.provider_message_id, reason = excluded.reason,
                            attempts = dispatch.deliveries.attempts + 1, updated_at = excluded.updated_at
                        """)
                .param("id", delivery.deliveryId())
                .param("eventId", delivery.eventId())
                .param("userId", delivery.userId())
                .param("provider", delivery.provider().name().toLowerCase(java.util.Locale.ROOT))
                .param("outcome", outcome)
                .param("messageId", providerMessageId)
                .param("reason", reason)
                .param("now", Timestamp.from(clock.instant()))
                // Only Expo needs the token kept (to report a dead one from a later receipt).
                .param("token", delivery.provider() == io.herald.events.Provider.EXPO ? delivery.token() : null)
                .update();
    }
}
