package io.herald.token.devices;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The hot users' active devices, so routing a busy user's events costs no device query. Entries live {@code
 * herald.token.devices.cache-ttl} at most, and no longer than a change to the user's devices on any instance.
 *
 * <p>Every change to a user's devices — registered, refreshed, moved (both users), deleted, deactivated by token
 * feedback, pruned, retired by the cap — is noted in {@code token.device_changes} in the transaction that makes it
 * ({@link DeviceStore}). Before it serves a lookup, this cache reads the changes noted since its last look and drops
 * those users' lists: one indexed query a routing poll, usually of no rows. So once a change has committed (the
 * registration has been answered), every routing poll that starts after it, on every instance, uses the new
 * devices: a token moved to another user gets none of its former owner's pushes. What remains is an event routed at
 * the same moment as the change, in a poll that looked before the change committed, and pushes already handed to
 * dispatch-service (its retries included).
 *
 * <p>The changes are read by transaction id, not by commit order: a look reads the changes of every transaction
 * that had not finished at the previous look's snapshot ({@code pg_snapshot_xmin}), so one that commits late is not
 * missed, and a list loaded while a change was on its way is dropped by the next look. Thread-safe.
 */
@Component
public class DeviceCache {

    /** How long device changes are kept: a look later than half of it starts afresh, dropping every list. */
    static final Duration CHANGES_KEPT = Duration.ofHours(1);

    private final DeviceStore store;
    private final Clock clock;
    /**
     * The users' lists (Caffeine: read without a lock; at most {@code cache-size}, each {@code cache-ttl} after it
     * was loaded). Written only under {@code invalidating}, so that a list is never kept once an invalidation came
     * while it was loaded.
     */
    private final Cache<String, List<ActiveDevice>> entries;

    private final Object invalidating = new Object();
    /** Bumped by every invalidation; guarded by {@code invalidating}. */
    private long generation;

    private final Object looking = new Object();
    /** The transaction id the next look reads changes from, or -1 before the first; guarded by {@code looking}. */
    private long horizon = -1;
    /** When the last look was; guarded by {@code looking}. */
    private Instant lookedAt = Instant.MIN;
    /** The changes applied that a look may find again (made by transactions from the horizon on), by number. */
    private final Map<Long, Long> applied = new HashMap<>();

    @Autowired
    DeviceCache(DeviceStore store, DeviceProperties properties, Clock clock) {
        this(store, properties, clock, Ticker.systemTicker());
    }

    /** With {@code ticker} as the time the lists expire by (a test's fake one). */
    DeviceCache(DeviceStore store, DeviceProperties properties, Clock clock, Ticker ticker) {
        this.store = store;
        this.clock = clock;
        this.entries = Caffeine.newBuilder()
                .maximumSize(properties.cacheSize())
                .expireAfterWrite(properties.cacheTtl())
                .ticker(ticker)
                .build();
    }

    /**
     * The active devices of all {@code userIds}: cached ones from memory, the rest in one batched query, after
     * dropping the lists of users whose devices changed on any instance since the last look.
     */
    public Map<String, List<ActiveDevice>> activeDevicesOf(Collection<String> userIds) {
        long before = catchUp();
        Map<String, List<ActiveDevice>> found = new HashMap<>();
        List<String> missing = new ArrayList<>();
        for (String user : userIds) {
            List<ActiveDevice> cached = entries.getIfPresent(user);
            if (cached != null) {
                found.put(user, cached);
            } else {
                missing.add(user);
            }
        }
        if (!missing.isEmpty()) {
            Map<String, List<ActiveDevice>> loaded = store.activeDevicesOf(missing);
            synchronized (invalidating) {
                // A list loaded while an invalidation came may predate the change: used this once, never kept.
                boolean keep = generation == before;
                for (String user : missing) {
                    List<ActiveDevice> devices = List.copyOf(loaded.getOrDefault(user, List.of()));
                    if (keep) {
                        entries.put(user, devices);
                    }
                    found.put(user, devices);
                }
            }
        }
        return found;
    }

    /** Reads the device changes since the last look and drops those users' lists; the generation after. */
    private long catchUp() {
        synchronized (looking) {
            Instant now = clock.instant();
            if (horizon < 0 || lookedAt.isBefore(now.minus(CHANGES_KEPT.dividedBy(2)))) {
                // The first look, or one so late that changes since the last may be forgotten: start afresh.
                DeviceChanges start = store.changesSince(OptionalLong.empty());
                invalidateAll();
                applied.clear();
                horizon = start.horizon();
            } else {
                DeviceChanges changes = store.changesSince(OptionalLong.of(horizon));
                for (DeviceChanges.Change change : changes.changes()) {
                    if (applied.putIfAbsent(change.seq(), change.tx()) == null) {
                        invalidate(change.userId());
                    }
                }
                horizon = changes.horizon();
                long next = horizon;
                applied.values().removeIf(tx -> tx < next);
            }
            lookedAt = now;
        }
        synchronized (invalidating) {
            return generation;
        }
    }

    public void invalidate(String userId) {
        synchronized (invalidating) {
            entries.invalidate(userId);
            generation++;
        }
    }

    public void invalidateAll() {
        synchronized (invalidating) {
            entries.invalidateAll();
            generation++;
        }
    }

    /** How many lists are kept, once pending evictions are done (Caffeine evicts in the background). For tests. */
    long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }
}
