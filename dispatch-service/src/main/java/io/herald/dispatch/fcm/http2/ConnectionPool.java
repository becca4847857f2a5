package io.herald.dispatch.fcm.http2;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A fixed number of connection slots, used in turn: {@link #next()} gives the slot's connection, opening one (lazily)
 * when the slot is empty or its connection was retired. Lock-free: when two callers find the same slot retired, one
 * opens the new connection and both use it.
 */
final class ConnectionPool {

    private final AtomicReferenceArray<@Nullable Connection> slots;
    private final String authority;
    private final Consumer<Connection> opener;
    private final AtomicInteger turn = new AtomicInteger();

    /**
     * @param size how many connections, at least one
     * @param authority the server, for messages
     * @param opener connects a new connection (in the background; requests queue on it meanwhile)
     */
    ConnectionPool(int size, String authority, Consumer<Connection> opener) {
        this.slots = new AtomicReferenceArray<>(Math.max(1, size));
        this.authority = authority;
        this.opener = opener;
    }

    int size() {
        return slots.length();
    }

    /** The next slot's connection, a usable one (or one being opened). */
    Connection next() {
        int slot = Math.floorMod(turn.getAndIncrement(), slots.length());
        Connection connection = slots.get(slot);
        if (connection != null && connection.usable()) {
            return connection;
        }
        Connection fresh = new Connection(authority);
        if (slots.compareAndSet(slot, connection, fresh)) {
            opener.accept(fresh);
            return fresh;
        }
        // Another caller replaced it first: theirs is used (this one was never opened).
        return Objects.requireNonNull(slots.get(slot));
    }

    /** Closes every connection; what they hold fails. */
    void close() {
        for (int i = 0; i < slots.length(); i++) {
            Connection connection = slots.getAndSet(i, null);
            if (connection != null) {
                connection.close();
            }
        }
    }
}
