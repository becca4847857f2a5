package io.herald.fanout.ws;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Socket writes gathered on one thread (a poll's worth of live notifications) and handed to each I/O thread
 * in one task, instead of one task, and one wake-up of that thread, per write. Each write carries a receipt
 * (the live path's delivery status), returned for the writes handed over. Not thread-safe: one per poll.
 *
 * @param <R> the receipt of a write
 */
final class WriteBatch<R> {

    private static final Logger log = LoggerFactory.getLogger(WriteBatch.class);

    private record Write<R>(ClientSession session, StreamGate.Frame frame, R receipt) {}

    private final IdentityHashMap<EventLoop, List<Write<R>>> byLoop = new IdentityHashMap<>();

    /**
     * Adds one live notification for {@code session}.
     *
     * @return {@code false} when the socket cannot take it (closed, or just closed for being too slow)
     */
    boolean add(ClientSession session, StreamGate.Frame frame, R receipt) {
        if (!session.accept()) {
            return false;
        }
        byLoop.computeIfAbsent(session.eventLoop(), loop -> new ArrayList<>())
                .add(new Write<>(session, frame, receipt));
        return true;
    }

    /**
     * Hands every write added so far to its socket's I/O thread.
     *
     * @return the receipts of the writes handed over: not those of an I/O thread that refused them (it is
     *     shutting down, with its sockets)
     */
    List<R> flush() {
        List<R> handedOver = new ArrayList<>();
        byLoop.forEach((loop, writes) -> {
            try {
                loop.execute(() -> {
                    for (Write<R> write : writes) {
                        write.session().live(write.frame());
                    }
                });
                writes.forEach(write -> handedOver.add(write.receipt()));
            } catch (RejectedExecutionException e) {
                log.debug("{} live writes not made: their I/O thread is shutting down", writes.size());
            }
        });
        byLoop.clear();
        return handedOver;
    }
}
