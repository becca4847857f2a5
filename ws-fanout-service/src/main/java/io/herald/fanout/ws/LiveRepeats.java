package io.herald.fanout.ws;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.herald.events.Change;
import io.herald.events.InAppNotification;
import java.time.Duration;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What this node's live path wrote to sockets lately, so that a record of {@code herald.inapp.v1} that comes again
 * is written to no socket twice. token-service does not remember the events it routed: an event it reads again (a
 * redelivery after a crash, a group reset, an app publishing it again) is routed again into the same {@link
 * InAppNotification}, with the same derived notification id, at a new offset (which the sockets' {@link StreamGate}
 * cannot tell from a new notification).
 *
 * <p>A notification is the same when its notification id is (its event id with it: the id derives from it). A
 * withdrawal or an update is a change of its own: the same when its target's id, its own event id and its kind
 * are; a later update of the same notification is another event, so it is never taken for a repeat.
 *
 * <p>Bounded: each entry is forgotten {@code window} after it was written, and the oldest first beyond {@code max};
 * a repeat later than that is written again (the client drops it by id, as the websocket documentation says). In
 * memory only, per node. Thread-safe.
 */
final class LiveRepeats {

    private record Key(UUID notificationId, UUID eventId, Change.@Nullable Kind change) {}

    private final Cache<Key, Boolean> written;

    LiveRepeats(Duration window, int max, Ticker ticker) {
        this.written = Caffeine.newBuilder()
                .expireAfterWrite(window)
                .maximumSize(max)
                .ticker(ticker)
                .build();
    }

    LiveRepeats(LiveProperties properties) {
        this(properties.repeatWindow(), properties.repeatMax(), Ticker.systemTicker());
    }

    /**
     * Remembers {@code record} as written to sockets, unless it already was.
     *
     * @return {@code true} the first time within the window, {@code false} for a repeat (write it to no socket)
     */
    boolean first(InAppNotification record) {
        var key = new Key(record.notificationId(), record.eventId(), record.change());
        return written.asMap().putIfAbsent(key, Boolean.TRUE) == null;
    }
}
