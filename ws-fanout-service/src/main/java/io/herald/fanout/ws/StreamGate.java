package io.herald.fanout.ws;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Which notifications one socket is sent, and in what order, so that each reaches it once across a {@code
 * resume}: the live path's and the replay's frames meet here, on the socket's I/O thread.
 *
 * <p>A user's notifications are all in one partition of {@code herald.inapp.v1}, in offset order, and the live
 * path brings them in that order. The gate remembers the range of offsets the client has ({@code [low, high]}:
 * each notification of the user in it was written to this socket, or the client said it had it), and drops a
 * frame inside it: a replayed one the live path brought already, a live one the replay brought, one the client
 * had from its previous socket, or one a live consumer reads again after a restart.
 *
 * <p>While a resume is under way, and for a moment after the socket opens (waiting for the client's first
 * message, which may be a resume), live frames are held back (at most {@code holdLimit}); the resume writes them
 * together with its replay, in offset order, each once.
 *
 * <p>Not thread-safe: confined to the socket's I/O thread.
 */
final class StreamGate {

    /** One notification message and its place in {@code herald.inapp.v1}. */
    @SuppressWarnings("ArrayRecordComponent") // never compared or hashed as a whole
    record Frame(int partition, long offset, byte[] utf8) {}

    private enum State {
        /** Just opened: live frames wait for the client's first message or the resume window to end. */
        OPENING,
        RESUMING,
        LIVE
    }

    private final int holdLimit;
    private State state;
    private @Nullable List<Frame> held;
    private int partition = -1;
    private long low = -1;
    private long high = -1;

    /**
     * @param holdLimit the most live frames held back at a time
     * @param opening whether live frames wait for the client's first message at first
     */
    StreamGate(int holdLimit, boolean opening) {
        this.holdLimit = holdLimit;
        this.state = opening ? State.OPENING : State.LIVE;
    }

    /**
     * A frame of the live path: written, held back, or dropped as one the client has.
     *
     * @return {@code false} when more frames are held back than the limit: the socket must be closed
     */
    boolean live(Frame frame, Consumer<byte[]> out) {
        if (state == State.LIVE) {
            write(frame, out);
            return true;
        }
        List<Frame> waiting = held;
        if (waiting == null) {
            waiting = new ArrayList<>();
            held = waiting;
        }
        waiting.add(frame);
        return waiting.size() <= holdLimit;
    }

    /** The client's first message was not a resume, or it sent none in time: live frames flow. */
    void opened(Consumer<byte[]> out) {
        if (state == State.OPENING) {
            drain(out);
        }
    }

    /** A resume begins: live frames are held back until it ends. */
    void resuming() {
        state = State.RESUMING;
    }

    /** A resume ends without a replay (refused, or failed): the frames held back are written, and live ones flow. */
    void resumed(Consumer<byte[]> out) {
        drain(out);
    }

    /**
     * A resume ends. The client has every notification of the user in {@code partition} up to offset {@code
     * after}; {@code replay} holds the user's stored notifications of that partition in {@code (after, before)},
     * oldest first. Writes, in offset order and each once, those of the replay and of the frames held back that the
     * client does not have; from then on live frames flow, and none before {@code before} is written again.
     *
     * @return how many of the replay's frames were written
     */
    int resumed(int partition, long after, long before, List<Frame> replay, Consumer<byte[]> out) {
        var byOffset = new TreeMap<Long, Frame>();
        Set<Frame> fromReplay = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Frame> elsewhere = new ArrayList<>();
        if (held != null) {
            for (Frame frame : held) {
                if (frame.partition() == partition) {
                    byOffset.putIfAbsent(frame.offset(), frame);
                } else {
                    elsewhere.add(frame);
                }
            }
        }
        // A notification both held back and replayed counts as the live path's.
        for (Frame frame : replay) {
            if (byOffset.putIfAbsent(frame.offset(), frame) == null) {
                fromReplay.add(frame);
            }
        }
        boolean samePartition = this.partition == partition;
        int replayed = 0;
        long last = Math.max(after, before - 1);
        for (Frame frame : byOffset.values()) {
            long offset = frame.offset();
            if (offset <= after || (samePartition && offset >= low && offset <= high)) {
                continue;
            }
            out.accept(frame.utf8());
            last = Math.max(last, offset);
            if (fromReplay.contains(frame)) {
                replayed++;
            }
        }
        // Everything of this partition up to `last` the client now has: what it had, the replay (all that was
        // stored below `before`), and the live frames, which came in order from the moment the hold began.
        this.partition = partition;
        this.low = 0;
        this.high = samePartition ? Math.max(high, last) : last;
        // The user's notifications of another partition (the topic's partition count was changed): as they came.
        elsewhere.forEach(frame -> out.accept(frame.utf8()));
        held = null;
        state = State.LIVE;
        return replayed;
    }

    private void drain(Consumer<byte[]> out) {
        List<Frame> waiting = held;
        held = null;
        state = State.LIVE;
        if (waiting != null) {
            waiting.forEach(frame -> write(frame, out));
        }
    }

    private void write(Frame frame, Consumer<byte[]> out) {
        if (frame.partition() != partition) {
            partition = frame.partition();
            low = frame.offset();
            high = frame.offset();
        } else if (frame.offset() >= low && frame.offset() <= high) {
            return;
        } else if (frame.offset() > high) {
            // The live path brings a user's notifications in order: those between were written already.
            high = frame.offset();
        }
        out.accept(frame.utf8());
    }
}
