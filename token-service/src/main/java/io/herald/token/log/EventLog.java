package io.herald.token.log;

import io.herald.events.DeliveryStatus;
import io.herald.events.Ids;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * What became of an event, composed from the three places that know: token-service's own delivery log (skips, and
 * statuses when the services publish them), dispatch-service's record of sends (one entry per push delivery: its
 * latest attempt) and the inbox (one entry per in-app notification: {@code stored}, or {@code read} once read).
 * Where two of them have an entry for the same recipient, channel and delivery (the delivery id of a push, the
 * notification id of an in-app entry), the newer is shown. An event absorbed into a digest ({@link DigestMembers}) has
 * a {@code digested} entry per recipient naming the digest; a digest's log also lists the events it absorbed.
 * Thread-safe.
 */
@Component
class EventLog {

    /** An absorbed event's reason, before its digest's event id (routing's {@code Digests} absorbs events). */
    static final String DIGEST_REASON = "digest:";

    /**
     * An event's log.
     *
     * @param source the app whose event it is: the one asked for, else the one app known to have published the id,
     *     else null
     * @param rows by user, channel and delivery; empty when nothing at all is known
     * @param truncated whether a service gave only part of its rows (it holds more than its maximum for one answer),
     *     or a digest absorbed more events than {@code absorbed} lists
     * @param absorbed when the event is a digest, the events it absorbed, in order of arrival (at most {@link
     *     DigestMembers#MAX_ABSORBED}); else empty
     * @param waiting the event's parts routing still holds for later (scheduled, a local time, quiet hours), the
     *     earliest due first; else empty
     */
    record Composed(
            @Nullable String source,
            List<DeliveryLog.Row> rows,
            boolean truncated,
            List<UUID> absorbed,
            List<ScheduledParts.Waiting> waiting) {}

    private final DeliveryLog log;
    private final NotificationHistory history;
    private final LogServices services;
    private final DigestMembers digests;
    private final ScheduledParts scheduled;

    EventLog(
            DeliveryLog log,
            NotificationHistory history,
            LogServices services,
            DigestMembers digests,
            ScheduledParts scheduled) {
        this.scheduled = scheduled;
        this.log = log;
        this.history = history;
        this.services = services;
        this.digests = digests;
    }

    /**
     * The event's log, of app {@code source} only if given. Blocks at most {@code herald.token.log.timeout} (plus
     * two queries here).
     *
     * @throws LogServices.Unavailable when dispatch-service or ws-fanout-service (or both: named together) did not
     *     answer in time or as agreed
     */
    Composed of(UUID eventId, @Nullable String source) {
        CompletableFuture<LogServices.Pushes> pushes = services.pushesOf(List.of(eventId));
        CompletableFuture<LogServices.Inbox> inbox = services.inboxOf(List.of(eventId));
        List<DeliveryLog.Logged> own = log.of(eventId);
        Set<String> known = new TreeSet<>(history.sourcesOf(eventId));
        // Digests: where the event was absorbed (an entry per recipient), and what it absorbed if it is a digest.
        List<DigestMembers.Absorbed> digested = digests.digestsOf(eventId);
        DigestMembers.Listing absorbed = digests.absorbedBy(eventId, source);
        digested.forEach(d -> known.add(d.source()));
        if (absorbed.source() != null) {
            known.add(absorbed.source());
        }
        // What still waits to be routed: an event scheduled for later is known before anything was delivered.
        List<ScheduledParts.Held> waiting = scheduled.of(eventId, source);
        waiting.forEach(w -> known.add(w.source()));
        Answers answers = Answers.await(pushes, inbox);
        answers.inbox().notifications().forEach(n -> known.add(n.source()));
        var attribution = new Attribution(eventId, known, source);

        Map<List<String>, Attributed> rows = new TreeMap<>(Comparator.<List<String>, String>comparing(k -> k.get(0))
                .thenComparing(k -> k.get(1))
                .thenComparing(k -> k.get(2)));
        for (DeliveryLog.Logged l : own) {
            var row =
                    new DeliveryLog.Row(l.userId(), l.channel(), l.provider(), l.outcome(), l.reason(), l.updatedAt());
            put(rows, l.deliveryKey(), new Attributed(row, attribution.of(l.userId(), l.notificationId())));
        }
        for (DigestMembers.Absorbed d : digested) {
            put(
                    rows,
                    Ids.notificationId(eventId, d.source(), d.userId()).toString(),
                    new Attributed(digested(d), d.source()));
        }
        for (LogServices.Push p : answers.pushes().deliveries()) {
            if (!p.eventId().equals(eventId)) {
                continue;
            }
            put(
                    rows,
                    p.deliveryId().toString(),
                    new Attributed(push(p), attribution.of(p.userId(), p.notificationId())));
        }
        for (LogServices.Stored n : answers.inbox().notifications()) {
            if (!n.eventId().equals(eventId)) {
                continue;
            }
            put(rows, n.notificationId().toString(), new Attributed(inApp(n), n.source()));
        }
        List<DeliveryLog.Row> shown = rows.values().stream()
                .filter(a -> source == null || source.equals(a.source()))
                .map(Attributed::row)
                .toList();
        String shownSource =
                source != null ? source : known.size() == 1 ? known.iterator().next() : null;
        return new Composed(
                shownSource,
                shown,
                answers.pushes().more()
                        || answers.inbox().more()
                        || absorbed.truncated()
                        || waiting.size() == ScheduledParts.MAX_LISTED,
                absorbed.eventIds(),
                waiting.stream()
                        .filter(w -> shownSource == null || shownSource.equals(w.source()))
                        .map(ScheduledParts.Held::waiting)
                        .toList());
    }

    /** An absorbed event's entry for one recipient: {@code digested}, the reason naming the digest's event id. */
    static DeliveryLog.Row digested(DigestMembers.Absorbed d) {
        return new DeliveryLog.Row(
                d.userId(),
                "all",
                null,
                DeliveryLog.wire(DeliveryStatus.Outcome.DIGESTED),
                DIGEST_REASON + d.digestId(),
                d.at());
    }

    /** A push delivery's entry, from dispatch-service's record of its latest attempt. */
    static DeliveryLog.Row push(LogServices.Push p) {
        return new DeliveryLog.Row(
                p.userId(),
                "push",
                p.provider() == null ? null : p.provider().toLowerCase(Locale.ROOT),
                p.outcome(),
                p.reason(),
                p.recordedAt());
    }

    /** An in-app notification's entry: {@code stored} when it was stored, {@code read} when it was read. */
    static DeliveryLog.Row inApp(LogServices.Stored n) {
        Instant readAt = n.readAt();
        return new DeliveryLog.Row(
                n.userId(),
                "inapp",
                null,
                readAt == null ? "stored" : "read",
                null,
                readAt == null ? n.createdAt() : readAt);
    }

    /** The entry of a row, and the app it is attributed to (null: none can be told). */
    private record Attributed(DeliveryLog.Row row, @Nullable String source) {

        /** Two entries of one delivery: the newer (the later put on a tie), with the provider only the older names. */
        Attributed then(Attributed later) {
            boolean thisIsNewer = later.row().updatedAt().isBefore(row.updatedAt());
            Attributed newer = thisIsNewer ? this : later;
            Attributed older = thisIsNewer ? later : this;
            DeliveryLog.Row r = newer.row();
            return new Attributed(
                    r.provider() != null || older.row().provider() == null
                            ? r
                            : new DeliveryLog.Row(
                                    r.userId(),
                                    r.channel(),
                                    older.row().provider(),
                                    r.outcome(),
                                    r.reason(),
                                    r.updatedAt()),
                    newer.source() != null ? newer.source() : older.source());
        }
    }

    private static void put(Map<List<String>, Attributed> rows, String deliveryKey, Attributed entry) {
        rows.merge(List.of(entry.row().userId(), entry.row().channel(), deliveryKey), entry, Attributed::then);
    }

    /**
     * Tells which app a row with a notification id belongs to: two apps may publish the same event id, and each
     * gives its recipients other notification ids ({@link Ids#notificationId(UUID, String, String)}). The candidates
     * are the apps known to have published the id (the inbox rows', the history's) and the one asked about. A row
     * matching none of them (a change names an earlier notification; a row naming none) is the one known app's, if
     * only one is known.
     */
    static final class Attribution {
        private final UUID eventId;
        private final Set<String> known;
        private final List<String> candidates;

        Attribution(UUID eventId, Set<String> known, @Nullable String asked) {
            this.eventId = eventId;
            this.known = Set.copyOf(known);
            List<String> candidates = new ArrayList<>(known);
            if (asked != null && !known.contains(asked)) {
                candidates.add(asked);
            }
            this.candidates = List.copyOf(candidates);
        }

        @Nullable
        String of(String userId, @Nullable UUID notificationId) {
            if (notificationId != null) {
                for (String source : candidates) {
                    if (Ids.notificationId(eventId, source, userId).equals(notificationId)) {
                        return source;
                    }
                }
            }
            return known.size() == 1 ? known.iterator().next() : null;
        }
    }

    /** Both services' answers, or the failure naming each that did not give one. */
    record Answers(LogServices.Pushes pushes, LogServices.Inbox inbox) {

        static Answers await(CompletableFuture<LogServices.Pushes> pushes, CompletableFuture<LogServices.Inbox> inbox) {
            List<String> down = new ArrayList<>();
            LogServices.Pushes p = joined(pushes, LogServices.DISPATCH, down);
            LogServices.Inbox i = joined(inbox, LogServices.WS_FANOUT, down);
            if (p == null || i == null) {
                throw new LogServices.Unavailable(String.join(" and ", down), "did not answer in time or as agreed");
            }
            return new Answers(p, i);
        }

        /** The answer, or {@link LogServices.Unavailable} naming the service. */
        static <T> T joinedOrThrow(CompletableFuture<T> call, String service) {
            List<String> down = new ArrayList<>(1);
            T answer = joined(call, service, down);
            if (answer == null) {
                throw new LogServices.Unavailable(service, "did not answer in time or as agreed");
            }
            return answer;
        }

        /** The answer; each future completes within the timeout ({@link LogServices}), so this is bounded. */
        static <T> @Nullable T joined(CompletableFuture<T> call, String service, List<String> down) {
            try {
                return call.join();
            } catch (CompletionException e) {
                down.add(e.getCause() instanceof LogServices.Unavailable u ? u.service() : service);
                return null;
            }
        }
    }
}
