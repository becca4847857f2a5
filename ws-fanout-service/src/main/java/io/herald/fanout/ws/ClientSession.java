package io.herald.fanout.ws;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
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

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    private static final CompletableFuture<Void> IDLE = CompletableFuture.completedFuture(null);
    /** How long a closing socket may take to flush its close frame before it is cut. */
    private static final long CLOSE_GRACE_MILLIS = 2_000;

    private final String userId;
    private final Channel channel;
    private final Executor worker;
    private CompletableFuture<?> work = IDLE; // guarded by this
    private volatile boolean closing;

    ClientSession(String userId, Channel channel, Executor worker) {
        this.userId = userId;
        this.channel = channel;
        this.worker = worker;
    }

    String userId() {
        return userId;
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
    io.netty.channel.EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** Writes a message {@link #accept accepted} before (a {@link WriteBatch} calls it on the socket's I/O thread). */
    void write(byte[] utf8) {
        if (channel.isActive()) {
            channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(utf8)), channel.voidPromise());
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

    /** Sends a close frame with {@code status}, then closes; a client that does not take it is cut off. */
    void close(WebSocketCloseStatus status) {
        if (closing || !channel.isActive()) {
            return;
        }
        closing = true;
        channel.writeAndFlush(new CloseWebSocketFrame(status)).addListener(ChannelFutureListener.CLOSE);
        channel.eventLoop().schedule(() -> channel.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }
}
