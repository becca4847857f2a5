package io.herald.token.log;

import io.herald.events.Ids;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * A user's history of one app, composed: the notifications stored in their inbox (ws-fanout-service's rows) and
 * those of events that stored none for them (push only, or nothing: token-service's {@link NotificationHistory}),
 * merged newest first under one cursor; each with its channels' outcomes — the in-app one from the inbox row
 * ({@code stored}, or {@code read}), the pushes from dispatch-service's record of sends (one call for the page's
 * events), and token-service's own log rows (skips, statuses when published), the newer where two name the same
 * delivery. Thread-safe.
 */
@Component
class HistoryPages {

    /** The most rows ws-fanout-service's history gives in one answer. */
    static final int MAX_INBOX_LIMIT = 100;

    /**
     * PostgreSQL's order of uuids (bytes as unsigned, most significant first), which both services' {@code order
     * by} use: {@link UUID#compareTo} compares signed longs, another order.
     */
    static final Comparator<UUID> AS_POSTGRES = Comparator.comparing(
                    UUID::getMostSignificantBits, Long::compareUnsigned)
            .thenComparing(UUID::getLeastSignificantBits, Long::compareUnsigned);

    /** Newest first: by time, then by notification id, both descending. */
    private static final Comparator<Candidate> NEWEST_FIRST = Comparator.comparing(Candidate::at)
            .thenComparing(Candidate::notificationId, AS_POSTGRES)
            .reversed();

    /** One notification that may be on the page, before its channels are known. */
    private record Candidate(
            Instant at,
            UUID notificationId,
            UUID eventId,
            String type,
            @Nullable String title,
            @Nullable String body,
            @Nullable String change,
            Instant occurredAt,
            LogServices.@Nullable Stored inbox) {}

    private final NotificationHistory history;
    private final LogServices services;

    HistoryPages(NotificationHistory history, LogServices services) {
        this.history = history;
        this.services = services;
    }

    /**
     * One page of what {@code source} sent {@code userId}: newest first by the time each notification was stored in
     * the inbox (or, for one that stored none, routed), then by notification id; strictly below {@code before} if
     * given; at most {@code limit}. Blocks at most twice {@code herald.token.log.timeout} (the inbox, then the
     * pushes of the page's events).
     *
     * @throws LogServices.Unavailable when a service did not answer in time or as agreed
     */
    NotificationHistory.Page page(
            String userId, String source, int limit, NotificationHistory.@Nullable Cursor before) {
        int inboxAsked = Math.min(limit + 1, MAX_INBOX_LIMIT);
        CompletableFuture<LogServices.Inbox> inboxCall = services.inboxHistory(
                userId,
                source,
                inboxAsked,
                before == null ? null : before.at(),
                before == null ? null : before.notificationId());
        List<NotificationHistory.Stored> own = history.rows(userId, source, limit + 1, before);
        LogServices.Inbox inbox = EventLog.Answers.joinedOrThrow(inboxCall, LogServices.WS_FANOUT);

        List<Candidate> all = new ArrayList<>();
        Set<List<UUID>> inInbox = new HashSet<>();
        for (LogServices.Stored n : inbox.notifications()) {
            if (inInbox.add(List.of(n.eventId(), n.notificationId()))) {
                all.add(new Candidate(
                        n.createdAt(),
                        n.notificationId(),
                        n.eventId(),
                        n.type(),
                        n.title(),
                        n.body(),
                        null,
                        n.occurredAt(),
                        n));
            }
        }
        for (NotificationHistory.Stored r : own) {
            // A row from before the inbox was the history of its recipients names a stored notification: shown once.
            // (A change's row names the notification it changes, under an event id of its own: it stays.)
            if (!inInbox.contains(List.of(r.eventId(), r.notificationId()))) {
                all.add(new Candidate(
                        r.sentAt(),
                        r.notificationId(),
                        r.eventId(),
                        r.type(),
                        r.title(),
                        r.body(),
                        r.change(),
                        r.occurredAt(),
                        null));
            }
        }
        all.sort(NEWEST_FIRST);
        // ws-fanout gave as many as asked and fewer than a whole page and one: what it holds below its oldest row is
        // unseen, so nothing below that row may be shown before it is.
        boolean inboxHasMore = (inbox.notifications().size() >= inboxAsked && inboxAsked < limit + 1) || inbox.more();
        if (inboxHasMore && !inbox.notifications().isEmpty()) {
            LogServices.Stored oldest = inbox.notifications().getLast();
            Candidate floor = new Candidate(
                    oldest.createdAt(),
                    oldest.notificationId(),
                    oldest.eventId(),
                    "",
                    null,
                    null,
                    null,
                    oldest.occurredAt(),
                    null);
            all.removeIf(c -> NEWEST_FIRST.compare(c, floor) > 0);
        }
        boolean more = all.size() > limit || inboxHasMore;
        List<Candidate> shown = all.size() > limit ? all.subList(0, limit) : all;
        if (shown.isEmpty()) {
            return new NotificationHistory.Page(userId, List.of(), null);
        }
        String next = more
                ? new NotificationHistory.Cursor(
                                shown.getLast().at(), shown.getLast().notificationId())
                        .encode()
                : null;

        Set<UUID> eventIds = new LinkedHashSet<>();
        shown.forEach(c -> eventIds.add(c.eventId()));
        CompletableFuture<LogServices.Pushes> pushCall = services.pushesOf(eventIds);
        Map<UUID, List<DeliveryLog.Logged>> log = history.logOf(userId, eventIds);
        Map<UUID, NotificationHistory.DeviceRef> devices = history.devicesOf(userId, source, eventIds);
        LogServices.Pushes pushes = EventLog.Answers.joinedOrThrow(pushCall, LogServices.DISPATCH);

        List<NotificationHistory.Item> items = new ArrayList<>(shown.size());
        for (Candidate c : shown) {
            UUID ownId = Ids.notificationId(c.eventId(), source, userId);
            Set<UUID> mine = new HashSet<>(List.of(c.notificationId(), ownId));
            // By channel and delivery: the newer where two places name the same delivery.
            Map<List<String>, NotificationHistory.ChannelOutcome> channels = new LinkedHashMap<>();
            for (DeliveryLog.Logged l : log.getOrDefault(c.eventId(), List.of())) {
                if (l.notificationId() != null && mine.contains(l.notificationId())) {
                    UUID deliveryId = "push".equals(l.channel()) ? uuidOrNull(l.deliveryKey()) : null;
                    put(
                            channels,
                            l.deliveryKey(),
                            outcome(
                                    l.channel(),
                                    l.provider(),
                                    deliveryId,
                                    l.outcome(),
                                    l.reason(),
                                    l.updatedAt(),
                                    devices));
                }
            }
            for (LogServices.Push p : pushes.deliveries()) {
                if (p.eventId().equals(c.eventId())
                        && p.userId().equals(userId)
                        && p.notificationId() != null
                        && mine.contains(p.notificationId())) {
                    put(
                            channels,
                            p.deliveryId().toString(),
                            outcome(
                                    "push",
                                    p.provider() == null ? null : p.provider().toLowerCase(Locale.ROOT),
                                    p.deliveryId(),
                                    p.outcome(),
                                    p.reason(),
                                    p.recordedAt(),
                                    devices));
                }
            }
            LogServices.Stored n = c.inbox();
            if (n != null) {
                DeliveryLog.Row row = EventLog.inApp(n);
                put(
                        channels,
                        n.notificationId().toString(),
                        outcome("inapp", null, null, row.outcome(), null, row.updatedAt(), devices));
            }
            items.add(new NotificationHistory.Item(
                    c.eventId(),
                    c.notificationId(),
                    c.type(),
                    c.title(),
                    c.body(),
                    c.change(),
                    c.occurredAt(),
                    c.at(),
                    sorted(channels)));
        }
        return new NotificationHistory.Page(userId, items, next);
    }

    private static void put(
            Map<List<String>, NotificationHistory.ChannelOutcome> channels,
            String deliveryKey,
            NotificationHistory.ChannelOutcome outcome) {
        channels.merge(List.of(outcome.channel(), deliveryKey), outcome, HistoryPages::then);
    }

    /** Two outcomes of one delivery: the newer (the later put on a tie), with the provider only the older names. */
    private static NotificationHistory.ChannelOutcome then(
            NotificationHistory.ChannelOutcome earlier, NotificationHistory.ChannelOutcome later) {
        boolean earlierIsNewer = later.at().isBefore(earlier.at());
        NotificationHistory.ChannelOutcome newer = earlierIsNewer ? earlier : later;
        NotificationHistory.ChannelOutcome older = earlierIsNewer ? later : earlier;
        return newer.provider() != null || older.provider() == null
                ? newer
                : new NotificationHistory.ChannelOutcome(
                        newer.channel(),
                        older.provider(),
                        newer.deliveryId(),
                        newer.deviceId(),
                        newer.platform(),
                        newer.outcome(),
                        newer.reason(),
                        newer.at());
    }

    /** Sorted by channel, provider and delivery key. */
    private static List<NotificationHistory.ChannelOutcome> sorted(
            Map<List<String>, NotificationHistory.ChannelOutcome> channels) {
        Map<List<String>, NotificationHistory.ChannelOutcome> byOrder =
                new TreeMap<>(Comparator.<List<String>, String>comparing(k -> k.get(0))
                        .thenComparing(k -> k.get(1))
                        .thenComparing(k -> k.get(2)));
        channels.forEach((key, outcome) -> byOrder.put(
                List.of(key.get(0), outcome.provider() == null ? "" : outcome.provider(), key.get(1)), outcome));
        return List.copyOf(byOrder.values());
    }

    private static NotificationHistory.ChannelOutcome outcome(
            String channel,
            @Nullable String provider,
            @Nullable UUID deliveryId,
            String outcome,
            @Nullable String reason,
            Instant at,
            Map<UUID, NotificationHistory.DeviceRef> devices) {
        NotificationHistory.DeviceRef device = deliveryId == null ? null : devices.get(deliveryId);
        return new NotificationHistory.ChannelOutcome(
                channel,
                provider,
                deliveryId,
                device == null ? null : device.deviceId(),
                device == null ? null : device.platform(),
                outcome,
                reason,
                at);
    }

    private static @Nullable UUID uuidOrNull(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
