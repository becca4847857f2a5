package io.herald.fanout.ws;

import io.herald.events.InAppNotification;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The withdrawals the live path has seen lately, so that a notification that comes after its own withdrawal (its
 * event routed late, or redelivered) is not pushed to sockets that were just told it is gone. The inbox keeps such a
 * notification out for good ({@code inbox.withdrawals}); this covers the live path, on which every node sees every
 * record. Bounded: the newest {@value #CAPACITY} withdrawals by id and as many by collapse key, about 2 MB at most; a
 * notification later than that after its withdrawal is pushed live but never stored, so it is gone on the next
 * list or resume. Kept in memory only (lost on restart, like the live path's position). Thread-safe.
 */
final class RecentWithdrawals {

    /** How many of each kind are remembered: minutes of withdrawals at any rate an app is likely to send them. */
    static final int CAPACITY = 10_000;

    private final Map<UUID, Boolean> byId = lru();
    private final Map<CollapseKey, Instant> byKey = lru();

    private record CollapseKey(String userId, String source, String key) {}

    /** Remembers a withdrawal. */
    synchronized void add(InAppNotification withdrawal) {
        String key = withdrawal.collapseKey();
        if (key == null) {
            byId.put(withdrawal.notificationId(), Boolean.TRUE);
        } else {
            byKey.merge(
                    new CollapseKey(withdrawal.userId(), Objects.toString(withdrawal.source(), ""), key),
                    withdrawal.occurredAt(),
                    (a, b) -> a.isAfter(b) ? a : b);
        }
    }

    /**
     * Whether a new notification was withdrawn before it came: by its id, or by its app's collapse key at or after
     * it occurred (the inbox's rule).
     */
    synchronized boolean withdrawn(InAppNotification notification) {
        if (byId.containsKey(notification.notificationId())) {
            return true;
        }
        String key = notification.collapseKey();
        if (key == null) {
            return false;
        }
        Instant at =
                byKey.get(new CollapseKey(notification.userId(), Objects.toString(notification.source(), ""), key));
        return at != null && !at.isBefore(notification.occurredAt());
    }

    private static <K, V> Map<K, V> lru() {
        return new LinkedHashMap<>(256, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > CAPACITY;
            }
        };
    }
}
