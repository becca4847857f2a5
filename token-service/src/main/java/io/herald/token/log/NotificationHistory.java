package io.herald.token.log;

import io.herald.events.DomainEvent;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.PushDelivery;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
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
 * The {@code token.notification_history} table: what was sent to each user — one row per routed event and
 * recipient, with the type, title and body as sent — and, read with the delivery log, what became of it on each
 * channel. Written by routing with the event's delivery log entries; read by the apps' {@code GET
 * /v1/users/{userId}/notifications}. Thread-safe.
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
     * @param outcome what became of it: planned, sent, delivered, failed, skipped…
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

    /** Where a page starts: below this occurredAt and sequence number. */
    public record Cursor(Instant occurredAt, long seq) {

        private static final Pattern FORM = Pattern.compile("(-?\\d{1,19})\\.(\\d{1,19})");

        /** The cursor as the API shows it: opaque, URL-safe. */
        public String encode() {
            long micros = ChronoUnit.MICROS.between(Instant.EPOCH, occurredAt);
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString((micros + "." + seq).getBytes(StandardCharsets.US_ASCII));
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
                        Instant.EPOCH.plus(Long.parseLong(m.group(1)), ChronoUnit.MICROS), Long.parseLong(m.group(2)));
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
     * The history entries of one routed event: one per recipient, with the title and body its notifications went
     * out with (the in-app notification's, else a push's), or none when it got none.
     */
    public static List<Entry> of(
            DomainEvent event,
            List<String> recipients,
            List<InAppNotification> inApp,
            List<PushDelivery> pushes,
            Instant sentAt) {
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
    private record Stored(
            long seq,
            UUID eventId,
            UUID notificationId,
            String type,
            @Nullable String title,
            @Nullable String body,
            @Nullable String change,
            Instant occurredAt,
            Instant sentAt,
            LocalDate day) {}

    /** A delivery log row of one of the page's events. */
    private record LogRow(
            UUID eventId,
            String channel,
            String deliveryKey,
            @Nullable String provider,
            String outcome,
            @Nullable String reason,
            Instant at,
            @Nullable UUID notificationId) {

        /** Two rows of one delivery (written on two days): the newer, with the provider only the older names. */
        LogRow then(LogRow later) {
            boolean thisIsNewer = later.at().isBefore(at);
            LogRow newer = thisIsNewer ? this : later;
            LogRow older = thisIsNewer ? later : this;
            return new LogRow(
                    newer.eventId(),
                    newer.channel(),
                    newer.deliveryKey(),
                    newer.provider() != null ? newer.provider() : older.provider(),
                    newer.outcome(),
                    newer.reason(),
                    newer.at(),
                    newer.notificationId() != null ? newer.notificationId() : older.notificationId());
        }
    }

    /** A registered device, by the delivery id a push to it has. */
    private record DeviceRef(UUID deviceId, @Nullable String platform) {}

    /**
     * One page of what {@code source} sent {@code userId}: newest first (by the event's {@code occurredAt}, then by
     * the order routing wrote them), below {@code before} if given, at most {@code limit}; each with every channel's
     * outcome from the delivery log ({@code held}: push plans not written yet, {@link PlannedPushes}).
     */
    public Page page(String userId, String source, int limit, @Nullable Cursor before, List<DeliveryLog.Entry> held) {
        var query = jdbc.sql("""
                        select seq, event_id, notification_id, type, title, body, change, occurred_at, sent_at, day
                        from token.notification_history
                        where user_id = :user and source = :source
                        """
                        + (before == null ? "" : " and (occurred_at, seq) < (:at, :seq)")
                        + " order by occurred_at desc, seq desc limit :limit")
                .param("user", userId)
                .param("source", source)
                .param("limit", limit + 1);
        if (before != null) {
            query = query.param("at", Timestamp.from(before.occurredAt())).param("seq", before.seq());
        }
        List<Stored> rows = query.query((rs, n) -> new Stored(
                        rs.getLong("seq"),
                        rs.getObject("event_id", UUID.class),
                        rs.getObject("notification_id", UUID.class),
                        rs.getString("type"),
                        rs.getString("title"),
                        rs.getString("body"),
                        rs.getString("change"),
                        rs.getTimestamp("occurred_at").toInstant(),
                        rs.getTimestamp("sent_at").toInstant(),
                        rs.getDate("day").toLocalDate()))
                .list();
        boolean more = rows.size() > limit;
        List<Stored> shown = more ? rows.subList(0, limit) : rows;
        String next =
                more ? new Cursor(shown.getLast().occurredAt(), shown.getLast().seq()).encode() : null;
        if (shown.isEmpty()) {
            return new Page(userId, List.of(), null);
        }
        Map<UUID, List<LogRow>> log = logOf(userId, shown, held);
        Set<UUID> shared = sharedEventIds(source, log);
        Map<UUID, DeviceRef> devices = devicesOf(userId, source, shown);
        List<Item> items = new ArrayList<>(shown.size());
        Set<UUID> seen = new HashSet<>();
        for (Stored row : shown) {
            // Routed again on a later day (a crash at midnight): shown once.
            if (!seen.add(row.eventId())) {
                continue;
            }
            UUID own = Ids.notificationId(row.eventId(), source, userId);
            List<ChannelOutcome> channels = log.getOrDefault(row.eventId(), List.of()).stream()
                    .filter(l -> l.notificationId() == null
                            ? !shared.contains(row.eventId())
                            : l.notificationId().equals(row.notificationId())
                                    || l.notificationId().equals(own))
                    .sorted(Comparator.comparing(LogRow::channel)
                            .thenComparing(l -> l.provider() == null ? "" : l.provider())
                            .thenComparing(LogRow::deliveryKey))
                    .map(l -> outcome(l, devices))
                    .toList();
            items.add(new Item(
                    row.eventId(),
                    row.notificationId(),
                    row.type(),
                    row.title(),
                    row.body(),
                    row.change(),
                    row.occurredAt(),
                    row.sentAt(),
                    channels));
        }
        return new Page(userId, items, next);
    }

    private static ChannelOutcome outcome(LogRow l, Map<UUID, DeviceRef> devices) {
        UUID deliveryId = "push".equals(l.channel()) ? uuidOrNull(l.deliveryKey()) : null;
        DeviceRef device = deliveryId == null ? null : devices.get(deliveryId);
        return new ChannelOutcome(
                l.channel(),
                l.provider(),
                deliveryId,
                device == null ? null : device.deviceId(),
                device == null ? null : device.platform(),
                l.outcome(),
                l.reason(),
                l.at());
    }

    private static @Nullable UUID uuidOrNull(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The delivery log's rows of these events for this user, the newest of each delivery, with the held plans where
     * the table has none yet. A row is written on the day its notification was or later: older partitions are
     * skipped.
     */
    private Map<UUID, List<LogRow>> logOf(String userId, List<Stored> rows, List<DeliveryLog.Entry> held) {
        LocalDate from =
                rows.stream().map(Stored::day).min(LocalDate::compareTo).orElseThrow();
        UUID[] ids = rows.stream().map(Stored::eventId).distinct().toArray(UUID[]::new);
        Map<List<Object>, LogRow> byDelivery = new LinkedHashMap<>();
        jdbc.sql("""
                        select event_id, channel, delivery_key, provider, outcome, reason, updated_at, notification_id
                        from token.delivery_log
                        where event_id = any(:ids) and user_id = :user and day >= :from
                        """)
                .param("ids", ids)
                .param("user", userId)
                .param("from", from)
                .query(rs -> {
                    var row = new LogRow(
                            rs.getObject("event_id", UUID.class),
                            rs.getString("channel"),
                            rs.getString("delivery_key"),
                            rs.getString("provider"),
                            rs.getString("outcome"),
                            rs.getString("reason"),
                            rs.getTimestamp("updated_at").toInstant(),
                            rs.getObject("notification_id", UUID.class));
                    byDelivery.merge(List.of(row.eventId(), row.channel(), row.deliveryKey()), row, LogRow::then);
                });
        Set<UUID> wanted = Set.of(ids);
        for (DeliveryLog.Entry e : held) {
            if (e.userId().equals(userId) && wanted.contains(e.eventId())) {
                byDelivery.putIfAbsent(
                        List.of(e.eventId(), e.channel(), e.deliveryKey()),
                        new LogRow(
                                e.eventId(),
                                e.channel(),
                                e.deliveryKey(),
                                e.provider(),
                                DeliveryLog.wire(e.outcome()),
                                e.reason(),
                                e.at(),
                                e.notificationId()));
            }
        }
        Map<UUID, List<LogRow>> byEvent = new HashMap<>();
        byDelivery
                .values()
                .forEach(r -> byEvent.computeIfAbsent(r.eventId(), k -> new ArrayList<>())
                        .add(r));
        return byEvent;
    }

    /**
     * Of the events with log rows naming no notification, those another app also routed under the same id: such a
     * row may be the other app's, so it is not shown.
     */
    private Set<UUID> sharedEventIds(String source, Map<UUID, List<LogRow>> log) {
        UUID[] unnamed = log.entrySet().stream()
                .filter(e -> e.getValue().stream().anyMatch(r -> r.notificationId() == null))
                .map(Map.Entry::getKey)
                .toArray(UUID[]::new);
        if (unnamed.length == 0) {
            return Set.of();
        }
        return Set.copyOf(jdbc.sql("""
                        select distinct event_id from token.routed_events
                        where event_id = any(:ids) and source <> :source
                        """)
                .param("ids", unnamed)
                .param("source", source)
                .query(UUID.class)
                .list());
    }

    /**
     * The user's registered devices (active or not), by the delivery id each would have for these events: a push's
     * delivery id is derived from the device's token ({@link Ids#deliveryId(UUID, String, String, String)}).
     */
    private Map<UUID, DeviceRef> devicesOf(String userId, String source, Collection<Stored> rows) {
        record Device(UUID id, String token, @Nullable String platform) {}
        List<Device> devices = jdbc.sql("select device_id, token, platform from token.devices where user_id = :user")
                .param("user", userId)
                .query((rs, n) -> new Device(
                        rs.getObject("device_id", UUID.class), rs.getString("token"), rs.getString("platform")))
                .list();
        Map<UUID, DeviceRef> byDelivery = new HashMap<>();
        for (Stored row : rows) {
            for (Device d : devices) {
                byDelivery.put(
                        Ids.deliveryId(row.eventId(), source, userId, d.token()),
                        new DeviceRef(
                                d.id(),
                                d.platform() == null ? null : d.platform().toLowerCase(Locale.ROOT)));
            }
        }
        return byDelivery;
    }
}
