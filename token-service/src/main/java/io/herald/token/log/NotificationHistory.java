package io.herald.token.log;

import io.herald.events.DomainEvent;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.PushDelivery;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code token.notification_history} table: what was sent to each user who got no inbox item from an event
 * (push only, or nothing) — one row per routed event and such a recipient, with the type, title and body as sent.
 * Written by routing with the event's skips; read, with the inbox's rows, by {@link HistoryPages} for the apps'
 * {@code GET /v1/users/{userId}/notifications}. Thread-safe.
 */
@Repository
public class NotificationHistory {

    /**
     * One recipient's notification of one event, as routing sent it.
     *
     * @param notificationId the id the notification went out with (for a change, the notification it changes)
     * @param title the title as sent, or {@code null} when nothing was (no template, every channel skipped)
     * @param body the body as sent, or {@code null} likewise
     * @param change {@code withdraw} or {@code update} for an event that changes an earlier notification, else null
     * @param sentAt when routing sent it
     */
    public record Entry(
            UUID eventId,
            String source,
            String userId,
            UUID notificationId,
            String type,
            @Nullable String title,
            @Nullable String body,
            @Nullable String change,
            Instant occurredAt,
            Instant sentAt) {}

    /**
     * What one channel did with a notification.
     *
     * @param channel {@code inapp}, {@code push}, or {@code all} (the recipient was skipped before any channel)
     * @param provider the push provider ({@code fcm}, {@code apns}, {@code expo}), or null
     * @param deliveryId the push's delivery id (one per device), or null
     * @param deviceId the device the push went to, while the user still has it registered; else null
     * @param platform that device's platform, or null
     * @param outcome what became of it: {@code stored} or {@code read} (in-app), {@code sent}, {@code rejected},
     *     {@code failed}, {@code skipped}…
     * @param reason why (a provider's error, a skip's cause), or null
     * @param at when the outcome was recorded
     */
    public record ChannelOutcome(
            String channel,
            @Nullable String provider,
            @Nullable UUID deliveryId,
            @Nullable UUID deviceId,
            @Nullable String platform,
            String outcome,
            @Nullable String reason,
            Instant at) {}

    /** One notification of a user's history. */
    public record Item(
            UUID eventId,
            UUID notificationId,
            String type,
            @Nullable String title,
            @Nullable String body,
            @Nullable String change,
            Instant occurredAt,
            Instant sentAt,
            List<ChannelOutcome> channels) {}

    /**
     * A page of a user's history, newest first.
     *
     * @param next the cursor of the next (older) page, to send as {@code before}; null on the last page
     */
    public record Page(
            String userId,
            List<Item> notifications,
            @Nullable String next) {}

    /**
     * Where a page starts: strictly below this time (when the notification was stored in the inbox, or routing sent
     * it) and notification id, compared as PostgreSQL compares uuids.
     */
    public record Cursor(Instant at, UUID notificationId) {

        private static final Pattern FORM =
                Pattern.compile("(-?\\d{1,19})\\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");

        /** The cursor as the API shows it: opaque, URL-safe. */
        public String encode() {
            long micros = ChronoUnit.MICROS.between(Instant.EPOCH, at);
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString((micros + "." + notificationId).getBytes(StandardCharsets.US_ASCII));
        }

        /** The cursor a client sent, or null when it is not one this API gave. */
        public static @Nullable Cursor decode(String text) {
            try {
                String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII);
                Matcher m = FORM.matcher(plain);
                if (!m.matches()) {
                    return null;
                }
                return new Cursor(
                        Instant.EPOCH.plus(Long.parseLong(m.group(1)), ChronoUnit.MICROS), UUID.fromString(m.group(2)));
            } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
                return null;
            }
        }
    }

    private static final String INSERT = """
            insert into token.notification_history (event_id, source, user_id, notification_id, type, title, body, change,
                occurred_at, sent_at)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            on conflict do nothing
            """;

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;

    NotificationHistory(JdbcClient jdbc, JdbcTemplate batch) {
        this.jdbc = jdbc;
        this.batch = batch;
    }

    /**
     * The history entries of one routed event: one per recipient who gets no new inbox item from it (push only, or
     * nothing), with the title and body a push went out with, or none when it got none. A recipient whose inbox
     * stores a notification of the event gets no entry: the inbox row is their history ({@link HistoryPages}). A
     * change (a withdrawal, an update) stores no item of its own, so each of its recipients gets an entry.
     */
    public static List<Entry> of(
            DomainEvent event,
            List<String> recipients,
            List<InAppNotification> inApp,
            List<PushDelivery> pushes,
            Instant sentAt) {
        Set<String> stored = new HashSet<>();
        for (InAppNotification n : inApp) {
            if (n.change() == null) {
                stored.add(n.userId());
            }
        }
        Map<String, Entry> byUser = new LinkedHashMap<>();
        String change = event.change() == null ? null : event.change().kind().wireName();
        for (InAppNotification n : inApp) {
            byUser.putIfAbsent(
                    n.userId(), entry(event, n.userId(), n.notificationId(), n.title(), n.body(), change, sentAt));
        }
        for (PushDelivery p : pushes) {
            byUser.putIfAbsent(
                    p.userId(), entry(event, p.userId(), p.notificationId(), p.title(), p.body(), change, sentAt));
        }
        List<Entry> entries = new ArrayList<>(recipients.size());
        for (String user : recipients) {
            if (stored.contains(user)) {
                continue;
            }
            Entry e = byUser.get(user);
            entries.add(
                    e != null
                            ? e
                            : entry(
                                    event,
                                    user,
                                    Ids.notificationId(event.eventId(), event.source(), user),
                                    null,
                                    null,
                                    change,
                                    sentAt));
        }
        return entries;
    }

    private static Entry entry(
            DomainEvent event,
            String user,
            UUID notificationId,
            @Nullable String title,
            @Nullable String body,
            @Nullable String change,
            Instant sentAt) {
        return new Entry(
                event.eventId(),
                event.source(),
                user,
                notificationId,
                event.type(),
                title,
                body,
                change,
                event.occurredAt(),
                sentAt);
    }

    /**
     * Writes entries in one batch; an entry written before (the event routed again after a crash) stays as it was.
     */
    public void write(List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        batch.batchUpdate(INSERT, entries, 1000, (ps, e) -> {
            ps.setObject(1, e.eventId());
            ps.setString(2, e.source());
            ps.setString(3, e.userId());
            ps.setObject(4, e.notificationId());
            ps.setString(5, e.type());
            ps.setString(6, e.title());
            ps.setString(7, e.body());
            ps.setString(8, e.change());
            ps.setTimestamp(9, Timestamp.from(e.occurredAt()));
            ps.setTimestamp(10, Timestamp.from(e.sentAt()));
        });
    }

    /** A history row as stored. */
    record Stored(
            UUID eventId,
            UUID notificationId,
            String type,
            @Nullable String title,
            @Nullable String body,
            @Nullable String change,
            Instant occurredAt,
            Instant sentAt) {}

    /**
     * Up to {@code limit} of what {@code source} sent {@code userId} that routing kept here (recipients without an
     * inbox item), newest first by {@code (sentAt, notificationId)}, strictly below {@code before} if given; an
     * event routed again on a later day once (its newest row).
     */
    List<Stored> rows(String userId, String source, int limit, @Nullable Cursor before) {
        var query = jdbc.sql("""
                        select event_id, notification_id, type, title, body, change, occurred_at, sent_at
                        from token.notification_history
                        where user_id = :user and source = :source
                        """
                        + (before == null ? "" : " and (sent_at, notification_id) < (:at, :id)")
                        + " order by sent_at desc, notification_id desc limit :limit")
                .param("user", userId)
                .param("source", source)
                .param("limit", limit);
        if (before != null) {
            query = query.param("at", Timestamp.from(before.at())).param("id", before.notificationId());
        }
        Set<List<UUID>> seen = new HashSet<>();
        return query
                .query((rs, n) -> new Stored(
                        rs.getObject("event_id", UUID.class),
                        rs.getObject("notification_id", UUID.class),
                        rs.getString("type"),
                        rs.getString("title"),
                        rs.getString("body"),
                        rs.getString("change"),
                        rs.getTimestamp("occurred_at").toInstant(),
                        rs.getTimestamp("sent_at").toInstant()))
                .list()
                .stream()
                .filter(r -> seen.add(List.of(r.eventId(), r.notificationId())))
                .toList();
    }

    /** The apps that routing kept history rows of under this event id. */
    Set<String> sourcesOf(UUID eventId) {
        return Set.copyOf(jdbc.sql("select distinct source from token.notification_history where event_id = :id")
                .param("id", eventId)
                .query(String.class)
                .list());
    }

    /**
     * The delivery log's rows of these events for this user that name a notification (skips, statuses), the newest
     * of each delivery, by event.
     */
    Map<UUID, List<DeliveryLog.Logged>> logOf(String userId, Collection<UUID> eventIds) {
        Map<List<Object>, DeliveryLog.Logged> byDelivery = new LinkedHashMap<>();
        Map<List<Object>, UUID> events = new HashMap<>();
        jdbc.sql("""
                        select event_id, channel, delivery_key, provider, outcome, reason, updated_at, notification_id
                        from token.delivery_log
                        where event_id = any(:ids) and user_id = :user and notification_id is not null
                        """)
                .param("ids", eventIds.toArray(UUID[]::new))
                .param("user", userId)
                .query(rs -> {
                    UUID eventId = rs.getObject("event_id", UUID.class);
                    var row = new DeliveryLog.Logged(
                            userId,
                            rs.getString("channel"),
                            rs.getString("delivery_key"),
                            rs.getString("provider"),
                            rs.getString("outcome"),
                            rs.getString("reason"),
                            rs.getTimestamp("updated_at").toInstant(),
                            rs.getObject("notification_id", UUID.class));
                    List<Object> key = List.of(eventId, row.channel(), row.deliveryKey());
                    events.put(key, eventId);
                    byDelivery.merge(key, row, DeliveryLog.Logged::then);
                });
        Map<UUID, List<DeliveryLog.Logged>> byEvent = new HashMap<>();
        byDelivery.forEach((key, row) ->
                byEvent.computeIfAbsent(events.get(key), k -> new ArrayList<>()).add(row));
        return byEvent;
    }

    /** A registered device, by the delivery id a push to it has. */
    record DeviceRef(UUID deviceId, @Nullable String platform) {}

    /**
     * The user's registered devices (active or not), by the delivery id each would have for these events: a push's
     * delivery id is derived from the device's token ({@link Ids#deliveryId(UUID, String, String, String)}).
     */
    Map<UUID, DeviceRef> devicesOf(String userId, String source, Collection<UUID> eventIds) {
        record Device(UUID id, String token, @Nullable String platform) {}
        List<Device> devices = jdbc.sql("select device_id, token, platform from token.devices where user_id = :user")
                .param("user", userId)
                .query((rs, n) -> new Device(
                        rs.getObject("device_id", UUID.class), rs.getString("token"), rs.getString("platform")))
                .list();
        Map<UUID, DeviceRef> byDelivery = new HashMap<>();
        for (UUID eventId : eventIds) {
            for (Device d : devices) {
                byDelivery.put(
                        Ids.deliveryId(eventId, source, userId, d.token()),
                        new DeviceRef(
                                d.id(),
                                d.platform() == null ? null : d.platform().toLowerCase(Locale.ROOT)));
            }
        }
        return byDelivery;
    }
}
