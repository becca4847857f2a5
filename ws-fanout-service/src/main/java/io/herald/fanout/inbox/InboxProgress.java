package io.herald.fanout.inbox;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Waits for the inbox writers to have stored {@code herald.inapp.v1} up to given offsets. Every waiter on this
 * node shares one read of the writers' progress at a time (at most one query each {@value #REFRESH_MILLIS} ms),
 * so a thousand clients resuming at once after a node failure cost the database what one does. Thread-safe.
 */
@Component
public class InboxProgress {

    private static final long REFRESH_MILLIS = 50;

    private final InboxStore store;
    private final ReentrantLock refreshing = new ReentrantLock();
    private volatile @Nullable Snapshot snapshot;

    private record Snapshot(Map<Integer, Long> storedUpTo, long readAtNanos) {}

    InboxProgress(InboxStore store) {
        this.store = store;
    }

    /**
     * Waits until, for each partition of {@code required}, every record below its offset is stored (or was
     * dead-lettered). Blocks the calling thread (callers are virtual threads), polling the writers' progress.
     *
     * @return {@code false} when {@code timeout} passed first
     * @throws org.springframework.dao.DataAccessException when the database cannot be read
     */
    public boolean awaitStored(Map<Integer, Long> required, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (reached(current().storedUpTo(), required)) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(REFRESH_MILLIS)));
        }
    }

    static boolean reached(Map<Integer, Long> storedUpTo, Map<Integer, Long> required) {
        for (Map.Entry<Integer, Long> need : required.entrySet()) {
            if (storedUpTo.getOrDefault(need.getKey(), 0L) < need.getValue()) {
                return false;
            }
        }
        return true;
    }

    private Snapshot current() {
        long maxAge = TimeUnit.MILLISECONDS.toNanos(REFRESH_MILLIS);
        Snapshot seen = snapshot;
        if (seen != null && System.nanoTime() - seen.readAtNanos() < maxAge) {
            return seen;
        }
        refreshing.lock();
        try {
            // Another waiter may have read it while this one waited for the lock.
            seen = snapshot;
            if (seen == null || System.nanoTime() - seen.readAtNanos() >= maxAge) {
                long readAt = System.nanoTime();
                seen = new Snapshot(Map.copyOf(store.storedUpTo()), readAt);
                snapshot = seen;
            }
            return seen;
        } finally {
            refreshing.unlock();
        }
    }
}
