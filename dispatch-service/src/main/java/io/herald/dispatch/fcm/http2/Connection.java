package io.herald.dispatch.fcm.http2;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/2 connection of an {@link Http2Client}: requests queued by callers (any thread), written by its
 * {@link StreamHandler} on the channel's event loop, everything queued since its last turn with one flush.
 *
 * <p>It is usable until it is retired: lost, closed, told to go away ({@code GOAWAY}), out of stream ids, or never
 * connected. A retired connection takes no new requests from the {@link ConnectionPool}, which opens another in its
 * place; requests it already holds are answered or fail.
 */
final class Connection {

    private final Queue<PendingRequest> queued = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writeScheduled = new AtomicBoolean();
    private final String authority;
    private volatile @Nullable Channel channel;
    private volatile @Nullable StreamHandler handler;
    private volatile boolean retired;

    /** Why it could not be opened, told to requests queued on it afterwards too. */
    private volatile @Nullable String connectFailure;

    /** @param authority the server, for messages */
    Connection(String authority) {
        this.authority = authority;
    }

    /** Its channel is being connected ({@code connect}); requests queue meanwhile. */
    void connecting(ChannelFuture connect) {
        channel = connect.channel();
        connect.addListener(done -> {
            if (done.isSuccess()) {
                scheduleWrite();
            } else {
                connectFailure = "could not connect to " + authority + ": " + done.cause();
                retired = true;
                failQueued(new IOException(connectFailure, done.cause()));
            }
        });
    }

    /** Its handler, once in the channel's pipeline. */
    void attach(StreamHandler streams) {
        this.handler = streams;
    }

    /** Until it is lost, closed, told to go away or out of stream ids (connecting counts as usable). */
    boolean usable() {
        return !retired;
    }

    boolean retired() {
        return retired;
    }

    /** Takes no new requests from now on; its handler closes it once its streams are done. */
    void retire() {
        retired = true;
    }

    /** Queues {@code request}; any thread. It is written on the event loop's next turn. */
    void enqueue(PendingRequest request) {
        queued.add(request);
        Channel c = channel;
        if (c != null && c.isActive()) {
            scheduleWrite();
        } else if (retired) {
            // A refused connection may fail before its first request is queued: that request is told why.
            String failure = connectFailure;
            failQueued(new IOException(failure != null ? failure : "the connection to " + authority + " is closed"));
        }
    }

    /** Has the event loop write what is queued, unless a write is already scheduled. */
    void scheduleWrite() {
        Channel c = channel;
        if (c != null && writeScheduled.compareAndSet(false, true)) {
            c.eventLoop().execute(this::writeQueued);
        }
    }

    /** On the event loop: everything queued, one flush; nothing before the server's settings are in. */
    void writeQueued() {
        writeScheduled.set(false);
        StreamHandler h = handler;
        if (h == null || !h.ready()) {
            return; // written once the server's settings are in (its limit on concurrent streams)
        }
        PendingRequest request;
        int written = 0;
        while ((request = queued.poll()) != null) {
            h.write(request);
            written++;
        }
        if (written > 0) {
            h.flushAll();
        }
    }

    /** Fails whatever is queued and not yet written (any thread). */
    void failQueued(IOException why) {
        PendingRequest request;
        while ((request = queued.poll()) != null) {
            request.fail(why);
        }
    }

    /** Closes the channel; what it holds fails. */
    void close() {
        retired = true;
        Channel c = channel;
        if (c != null) {
            c.close();
        }
        failQueued(new IOException("the HTTP/2 client is closed"));
    }
}
