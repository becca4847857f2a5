package io.herald.fanout.ws;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Socket writes gathered on one thread (a poll's worth of live notifications) and handed to each I/O thread
 * in one task, instead of one task, and one wake-up of that thread, per write. Not thread-safe: one per poll.
 */
final class WriteBatch {

    private record Write(ClientSession session, byte[] utf8) {}

    private final Map<EventLoop, List<Write>> byLoop = new IdentityHashMap<>();

    /**
     * Adds one message for {@code session}.
     *
     * @return {@code false} when the socket cannot take it (closed, or just closed for being too slow)
     */
    boolean add(ClientSession session, byte[] utf8) {
        if (!session.accept()) {
            return false;
        }
        byLoop.computeIfAbsent(session.eventLoop(), loop -> new ArrayList<>()).add(new Write(session, utf8));
        return true;
    }

    /** Hands every write added so far to its socket's I/O thread. */
    void flush() {
        byLoop.forEach((loop, writes) -> loop.execute(() -> {
            for (Write write : writes) {
                write.session().write(write.utf8());
            }
        }));
        byLoop.clear();
    }
}
