package io.herald.dispatch.delivery;

import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code dispatch.deliveries} table: one row per attempt of a delivery, appended when its outcome is known,
 * partitioned by the day it was recorded ({@code recorded_at}) so that whole days are dropped when they expire
 * (see {@link DeliveryLogPartitions}). Read and written a group of deliveries at a time, one query or one JDBC
 * batch, never a round trip per delivery. Thread-safe.
 *
 * <p>A partitioned table's primary key must hold its partition key, so the key is {@code (delivery_id,
 * recorded_at, attempts)} and PostgreSQL no longer keeps a delivery id unique: a row is appended per attempt,
 * and "was it sent?" asks for any row of the delivery with outcome {@code sent}. That lookup gives a lower bound on {@code recorded_at},
 * so PostgreSQL reads only the partitions that can hold the answer (normally today's): a delivery cannot have
 * been sent before its event occurred nor before its record was first published (retries keep that timestamp,
 * see {@link Retries}); the earlier of the two, less {@link #CLOCK_SKEW} for clocks that disagree.
 */
@Repository
public class DeliveryLog {

    static final String SENT = "sent";

    /** How far apart the clocks of upstream apps, token-service and dispatch-service may be. */
    static final Duration CLOCK_SKEW = Duration.ofHours(1);

    /**
     * What became of one attempt of a delivery, to be stored.
     *
     * @param attempt which attempt this was (1 for the first send)
     */
    record Entry(
            PushDelivery delivery,
            String outcome,
            @Nullable String providerMessageId,
            @Nullable String reason,
            int attempt) {}

    private final JdbcClient jdbc;
    private final NamedParameterJdbcTemplate named;
    private final Clock clock;
    private final DeliveryLogPartitions partitions;

    DeliveryLog(JdbcClient jdbc, NamedParameterJdbcTemplate named, Clock clock, DeliveryLogPartitions partitions) {
        this.jdbc = jdbc;
        this.named = named;
        this.clock = clock;
        this.partitions = partitions;
    }

    /**
     * Which of these deliveries a provider already accepted (one query), looking at rows recorded from {@code
     * notBefore} less {@link #CLOCK_SKEW} on: the earliest time any of them can have been first sent.
     */
    Set<UUID> alreadySent(Collection<UUID> deliveryIds, Instant notBefore) {
        if (deliveryIds.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(jdbc.sql("""
                        select delivery_id from dispatch.deliveries
                        where delivery_id = any(:ids) and recorded_at >= :since and outcome = 'sent'
                        """)
                .param("ids", deliveryIds.toArray(UUID[]::new))
                .param("since", Timestamp.from(notBefore.minus(CLOCK_SKEW)))
                .query(UUID.class)
                .list());
    }

    /**
     * Stores what became of these attempts (one JDBC batch, all or nothing). When PostgreSQL refuses the batch
     * for its data (SQLState class 22 or 23) the refused rows are found by halving the batch, the others are
     * stored, and the refused ones are returned: they are not stored, and a redelivery of them would be sent
     * again. A database that cannot be reached, or any other failure, is thrown: nothing is refused for it.
     *
     * @return the delivery ids of the rows PostgreSQL refused, with its reason (its first line: never the row)
     * @throws DataAccessException when the database failed rather than the data; nothing of the batch is stored
     */
    Map<UUID, String> record(List<Entry> entries) {
        if (entries.isEmpty()) {
            return Map.of();
        }
        Instant now = clock.instant();
        try {
            insert(entries, now);
            return Map.of();
        } catch (DataAccessException e) {
            if (dataError(e) == null) {
                throw e;
            }
            // The day's partition missing (the maintenance job has not run for create-ahead) is not the data's
            // fault: make sure it exists, then try once more before looking for culprits.
            partitions.ensureFor(now);
        }
        Map<UUID, String> refused = new LinkedHashMap<>();
        isolate(entries, now, refused);
        return refused;
    }

    private void isolate(List<Entry> entries, Instant now, Map<UUID, String> refused) {
        try {
            insert(entries, now);
        } catch (DataAccessException e) {
            String reason = dataError(e);
            if (reason == null) {
                throw e;
            }
            if (entries.size() == 1) {
                refused.put(entries.getFirst().delivery().deliveryId(), reason);
                return;
            }
            int half = entries.size() / 2;
            isolate(entries.subList(0, half), now, refused);
            isolate(entries.subList(half, entries.size()), now, refused);
        }
    }

    private void insert(List<Entry> entries, Instant now) {
        var recordedAt = Timestamp.from(now);
        List<SqlParameterSource> batch = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            PushDelivery delivery = entry.delivery();
            batch.add(new MapSqlParameterSource()
                    .addValue("id", delivery.deliveryId())
                    .addValue("eventId", delivery.eventId())
                    .addValue("userId", delivery.userId())
                    .addValue("provider", delivery.provider().name().toLowerCase(Locale.ROOT))
                    .addValue("outcome", entry.outcome())
                    // The provider's words: PostgreSQL refuses a NUL in text, and they are not worth a refusal.
                    .addValue("messageId", withoutNul(entry.providerMessageId()))
                    .addValue("reason", withoutNul(entry.reason()))
                    .addValue("attempt", entry.attempt())
                    .addValue("recordedAt", recordedAt)
                    // Only Expo needs the token kept (to report a dead one from a later receipt).
                    .addValue("token", delivery.provider() == Provider.EXPO ? delivery.token() : null));
        }
        // A row per attempt; the same attempt recorded twice in one microsecond (two instances) is one row.
        named.batchUpdate("""
                insert into dispatch.deliveries (delivery_id, event_id, user_id, provider, outcome,
                    provider_message_id, reason, attempts, recorded_at, token)
                values (:id, :eventId, :userId, :provider, :outcome, :messageId, :reason, :attempt, :recordedAt,
                    :token)
                on conflict do nothing
                """, batch.toArray(SqlParameterSource[]::new));
    }

    /**
     * The database's reason when {@code failure} is PostgreSQL refusing data (SQLState class 22, data exception,
     * or 23, integrity constraint violation), else {@code null}.
     */
    static @Nullable String dataError(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                // A batch's own exception quotes the statement with its values; the database's error, chained
                // after it, says what was refused without them.
                String state = null;
                SQLException e = sql;
                for (int i = 0; e != null && i < 10; e = e.getNextException(), i++) {
                    if (data(e.getSQLState())) {
                        if (!(e instanceof BatchUpdateException)) {
                            return e.getSQLState() + " " + firstLine(e.getMessage());
                        }
                        state = e.getSQLState();
                    }
                }
                if (state != null) {
                    return state;
                }
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }

    private static boolean data(@Nullable String state) {
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /** The first line of a PostgreSQL message: its {@code Detail:} line would repeat the row's values. */
    private static String firstLine(@Nullable String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    private static @Nullable String withoutNul(@Nullable String value) {
        return value == null || value.indexOf('\0') < 0 ? value : value.replace("\0", "");
    }
}
