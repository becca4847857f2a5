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
 *
 * <p>It is also the push half of the delivery log ({@link #latest}, {@code GET /internal/v1/deliveries}): each row
 * names its event and notification, and a delivery that reached the dead-letter topic gets a {@code dead_lettered}
 * row ({@link #deadLettered}), whether or not statuses are published on {@code herald.delivery-status.v1}.
 */
@Repository
public class DeliveryLog {

    static final String SENT = "sent";

    /** The outcome of a delivery that reached {@code herald.push.v1-dlt}. */
    static final String DEAD_LETTERED = "dead_lettered";

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
                    .addValue("notificationId", delivery.notificationId())
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
                insert into dispatch.deliveries (delivery_id, event_id, notification_id, user_id, provider, outcome,
                    provider_message_id, reason, attempts, recorded_at, token)
                values (:id, :eventId, :notificationId, :userId, :provider, :outcome, :messageId, :reason, :attempt,
                    :recordedAt, :token)
                on conflict do nothing
                """, batch.toArray(SqlParameterSource[]::new));
    }

    /**
     * Stores that {@code delivery} reached the dead-letter topic (outcome {@value #DEAD_LETTERED}, {@code reason}
     * the dead letter's reason code), as the latest attempt of the delivery: its attempt is the highest one stored
     * for it (1 when none is: it was never sent), and it is recorded after them. One statement; looking for the
     * delivery's rows reads every partition's primary key once, which only dead letters pay.
     *
     * @return PostgreSQL's reason when it refused the row for its data (the row is not stored), else {@code null}
     * @throws DataAccessException when the database failed rather than the data
     */
    @Nullable
    String deadLettered(PushDelivery delivery, String reason) {
        Instant now = clock.instant();
        try {
            insertDeadLetter(delivery, reason, now);
            return null;
        } catch (DataAccessException e) {
            if (dataError(e) == null) {
                throw e;
            }
            partitions.ensureFor(now);
        }
        try {
            insertDeadLetter(delivery, reason, now);
            return null;
        } catch (DataAccessException e) {
            String refused = dataError(e);
            if (refused == null) {
                throw e;
            }
            return refused;
        }
    }

    private void insertDeadLetter(PushDelivery delivery, String reason, Instant now) {
        jdbc.sql("""
                        insert into dispatch.deliveries (delivery_id, event_id, notification_id, user_id, provider,
                            outcome, reason, attempts, recorded_at)
                        select :id, :eventId, :notificationId, :userId, :provider, :outcome, :reason,
                            coalesce((select max(attempts) from dispatch.deliveries where delivery_id = :id), 1),
                            :recordedAt
                        on conflict do nothing
                        """)
                .param("id", delivery.deliveryId())
                .param("eventId", delivery.eventId())
                .param("notificationId", delivery.notificationId())
                .param("userId", delivery.userId())
                .param("provider", delivery.provider().name().toLowerCase(Locale.ROOT))
                .param("outcome", DEAD_LETTERED)
                .param("reason", withoutNul(reason))
                .param("recordedAt", Timestamp.from(now))
                .update();
    }

    /**
     * One delivery's latest attempt, as {@code GET /internal/v1/deliveries} shows it.
     *
     * @param notificationId {@code null} for rows stored before the column existed
     * @param outcome the {@code DeliveryStatus.Outcome} wire name: {@code sent}, {@code rejected}, {@code failed},
     *     {@code dead_lettered}
     * @param reason the provider's error code, or the dead letter's reason code; {@code null} when sent
     */
    record Latest(
            UUID eventId,
            @Nullable UUID notificationId,
            UUID deliveryId,
            String userId,
            String provider,
            String outcome,
            @Nullable String reason,
            int attempt,
            Instant recordedAt) {}

    /** At most {@code max} deliveries, and whether there were more. */
    record LatestPage(List<Latest> deliveries, boolean truncated) {}

    /**
     * The latest attempt (the latest recorded, then the highest attempt: a replayed dead letter starts again at attempt 1) of every delivery of these events, newest first,
     * at most {@code max} of them (one query). The events' rows are found through the {@code (event_id)} index of
     * each partition: an event id says nothing reliable about when its deliveries were recorded (apps choose their
     * own), so no partition can be ruled out; the retention bounds how many there are.
     */
    LatestPage latest(Collection<UUID> eventIds, int max) {
        if (eventIds.isEmpty()) {
            return new LatestPage(List.of(), false);
        }
        List<Latest> rows = jdbc.sql("""
                        select event_id, notification_id, delivery_id, user_id, provider, outcome, reason, attempts,
                            recorded_at
                        from (
                            select distinct on (delivery_id) event_id, notification_id, delivery_id, user_id,
                                provider, outcome, reason, attempts, recorded_at
                            from dispatch.deliveries
                            where event_id = any(:ids)
                            order by delivery_id, recorded_at desc, attempts desc
                        ) latest
                        order by recorded_at desc, delivery_id
                        limit :limit
                        """)
                .param("ids", eventIds.toArray(UUID[]::new))
                .param("limit", max + 1)
                .query((rs, n) -> new Latest(
                        rs.getObject("event_id", UUID.class),
                        rs.getObject("notification_id", UUID.class),
                        rs.getObject("delivery_id", UUID.class),
                        rs.getString("user_id"),
                        rs.getString("provider"),
                        rs.getString("outcome"),
                        rs.getString("reason"),
                        rs.getInt("attempts"),
                        rs.getTimestamp("recorded_at").toInstant()))
                .list();
        return rows.size() > max
                ? new LatestPage(List.copyOf(rows.subList(0, max)), true)
                : new LatestPage(rows, false);
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
