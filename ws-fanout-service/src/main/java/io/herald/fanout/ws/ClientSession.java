package io.herald.fanout.ws;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open socket of one user. Writes never block the caller: they queue on the socket up to {@code
 * send-buffer-limit} bytes; a client that lets the queue fill (or leaves one write unfinished for {@code
 * send-time-limit}) is closed with {@link #SLOW_CLIENT} and can reconnect and {@code resume}.
 *
 * <p>What the client asks is answered off the socket's I/O thread, one message at a time in the order it
 * sent them ({@link #run}), since answers may wait on the inbox.
 */
final class ClientSession {

    /** Close code for a client that did not keep up with its notifications. */
    static final WebSocketCloseStatus SLOW_CLIENT = new WebSocketCloseStatus(4008, "slow client: reconnect and resume");

    /** Close code for a socket whose JWT expired: the client reconnects with a fresh token and resumes. */
    static final WebSocketCloseStatus TOKEN_EXPIRED = new WebSocketCloseStatus(4001, "token expired");

    /** Close code for a client that went on sending far over {@code max-messages-per-second}. */
    static final WebSocketCloseStatus TOO_MANY_MESSAGES = new WebSocketCloseStatus(4029, "too many messages");

    /** Close code for one socket more than {@code max-sockets-per-user} on this node. */
    static final WebSocketCloseStatus TOO_MANY_SOCKETS =
            new WebSocketCloseStatus(4030, "too many sockets for this user");

    /** Close code for one socket more than {@code max-sockets}: try again later, or another node. */
    static final WebSocketCloseStatus NODE_FULL = new WebSocketCloseStatus(1013, "node full: try again later");

    /**
     * Close code for a socket whose resume could not be served in time (the inbox catching up, or down), or that
     * held back more live notifications than it may meanwhile: it has been sent nothing since the resume began,
     * so the client reconnects and resumes from the same place.
     */
    static final WebSocketCloseStatus RESUME_UNAVAILABLE =
            new WebSocketCloseStatus(1013, "resume unavailable: reconnect and resume");

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    private static final CompletableFuture<Void> IDLE = CompletableFuture.completedFuture(null);
    /** How long a closing socket may take to flush its close frame before it is cut. */
    private static final long CLOSE_GRACE_MILLIS = 2_000;

    private final String userId;
    private final SocketDialect dialect;
    private final Channel channel;
    private final Executor worker;
    private final int maxQueued;
    private final StreamGate gate; // confined to the I/O thread
    private CompletableFuture<?> work = IDLE; // guarded by this
    private int queued; // confined to the I/O thread
    private volatile boolean closing;
    private volatile boolean opening;

    /** A session whose live notifications flow from the start, taking messages without a queue limit (tests). */
    ClientSession(String userId, Channel channel, Executor worker) {
        this(userId, SocketDialect.HERALD, channel, worker, 500, false, Integer.MAX_VALUE);
    }

    /**
     * @param holdLimit the most live notifications held back while the socket opens or resumes
     * @param opening whether live notifications wait for the client's first message ({@link #opened})
     * @param maxQueued the most client messages waiting for their answer before the socket is read no more
     */
    ClientSession(
            String userId,
            SocketDialect dialect,
            Channel channel,
            Executor worker,
            int holdLimit,
            boolean opening,
            int maxQueued) {
        this.userId = userId;
        this.dialect = dialect;
        this.channel = channel;
        this.worker = worker;
        this.maxQueued = maxQueued;
        this.gate = new StreamGate(holdLimit, opening);
        this.opening = opening;
    }

    String userId() {
        return userId;
    }

    /** What the socket's frames look like, as the client chose at the handshake. */
    SocketDialect dialect() {
        return dialect;
    }

    String id() {
        return channel.id().asShortText();
    }

    boolean isOpen() {
        return channel.isActive() && !closing;
    }

    /**
     * Queues one text message.
     *
     * @return {@code false} when the socket is closed or was just closed for being too slow
     */
    boolean send(String json) {
        return send(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Queues one text message, already UTF-8; the array is not copied and must not change afterwards. */
    boolean send(byte[] utf8) {
        if (!accept()) {
            return false;
        }
        write(utf8);
        return true;
    }

    /** The I/O thread this socket is served by. */
    EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** Writes a message {@link #accept accepted} before (a {@link WriteBatch} calls it on the socket's I/O thread). */
    void write(byte[] utf8) {
        if (channel.isActive()) {
            channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(utf8)), channel.voidPromise());
        }
    }

    /**
     * Writes a live notification, unless the client has it or it must wait for a resume ({@link StreamGate}). On
     * the socket's I/O thread.
     */
    void live(StreamGate.Frame frame) {
        if (channel.isActive() && !closing && !gate.live(frame, this::emit)) {
            log.debug("closing socket {}: more live notifications than it may hold during a resume", id());
            close(RESUME_UNAVAILABLE);
        }
    }

    /**
     * The client has said something other than {@code resume}, or waited too long: the live notifications held
     * back since the socket opened are written, and the next ones flow. Any thread; once.
     */
    void opened() {
        if (opening) {
            opening = false;
            onLoop(() -> gate.opened(this::emit));
        }
    }

    /**
     * Runs {@code step} on the socket's I/O thread with its {@link StreamGate} and the writer of messages,
     * waiting for it to be done. Called off the I/O thread.
     *
     * @return {@code false} when the socket's I/O thread is gone (the node is stopping)
     */
    boolean onStream(BiConsumer<StreamGate, Consumer<byte[]>> step) {
        opening = false;
        try {
            channel.eventLoop().submit(() -> step.accept(gate, this::emit)).syncUninterruptibly();
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void onLoop(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            log.trace("socket {}: its I/O thread is gone", id());
        }
    }

    /** Writes one message from the I/O thread, unless the socket is closed or too slow. */
    private void emit(byte[] utf8) {
        if (accept()) {
            write(utf8);
        }
    }

    /** Sends a WebSocket ping, which keeps idle sockets (and the proxies in front of them) alive. */
    boolean ping() {
        if (!accept()) {
            return false;
        }
        channel.writeAndFlush(new PingWebSocketFrame(), channel.voidPromise());
        return true;
    }

    /**
     * Whether the socket can take one more message now ({@link #send} and a {@link WriteBatch} ask before
     * queuing): {@code false} when it is closed, and when its queue is full, which closes it as too slow.
     */
    boolean accept() {
        if (!isOpen()) {
            return false;
        }
        if (!channel.isWritable()) {
            log.debug("closing slow socket {}: more than its send buffer queued", id());
            close(SLOW_CLIENT);
            return false;
        }
        return true;
    }

    /** Runs {@code task} off the I/O thread, after every task this session was given before it. */
    void run(Runnable task) {
        synchronized (this) {
            work = work.handleAsync(
                    (ignored, error) -> {
                        task.run();
                        return null;
                    },
                    worker);
        }
    }

    /**
     * Runs the answer to one client message off the I/O thread, in order ({@link #run}). Called on the socket's
     * I/O thread: when {@code max-queued-messages} wait for their answer, the socket is not read any more until
     * one is answered, so a client sending faster than it is answered fills its own TCP window, not this node's
     * memory.
     */
    void request(Runnable task) {
        if (++queued >= maxQueued) {
            channel.config().setAutoRead(false);
        }
        run(() -> {
            try {
                task.run();
            } finally {
                onLoop(() -> {
                    if (--queued < maxQueued && !channel.config().isAutoRead()) {
                        channel.config().setAutoRead(true);
                    }
                });
            }
        });
    }

    /**
     * Sends a close frame with {@code status}; the connection ends when the client answers it, or is cut off
     * after a grace period. Until then what the client sends is read and dropped: closing the connection with its
     * messages unread would reset it, and the client could lose the close frame, and with it the reason.
     */
    void close(WebSocketCloseStatus status) {
        if (closing || !channel.isActive()) {
            return;
        }
        closing = true;
        channel.writeAndFlush(new CloseWebSocketFrame(status));
        channel.eventLoop().schedule(() -> channel.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }
}
