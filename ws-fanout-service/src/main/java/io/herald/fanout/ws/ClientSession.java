package io.herald.fanout.ws;

import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.SessionLimitExceededException;

/**
 * One open socket of one user. Writes are thread-safe and never block the caller for long: while one write
 * is in progress, others queue up to a byte limit; a client that lets the queue fill (or takes longer than
 * the time limit for one write) is closed with {@link #SLOW_CLIENT} and can reconnect and {@code resume}.
 */
final class ClientSession {

    /** Close code for a client that did not keep up with its notifications. */
    static final CloseStatus SLOW_CLIENT = new CloseStatus(4008, "slow client: reconnect and resume");

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    private final String userId;
    private final WebSocketSession raw;
    private final ConcurrentWebSocketSessionDecorator session;

    ClientSession(String userId, WebSocketSession raw, Duration sendTimeLimit, DataSize bufferLimit) {
        this.userId = userId;
        this.raw = raw;
        this.session = new ConcurrentWebSocketSessionDecorator(
                raw,
                (int) Math.min(Integer.MAX_VALUE, sendTimeLimit.toMillis()),
                (int) Math.min(Integer.MAX_VALUE, bufferLimit.toBytes()),
                ConcurrentWebSocketSessionDecorator.OverflowStrategy.TERMINATE);
    }

    String userId() {
        return userId;
    }

    String id() {
        return raw.getId();
    }

    boolean isOpen() {
        return session.isOpen();
    }

    /** The socket underneath, as the WebSocket container knows it. */
    WebSocketSession raw() {
        return raw;
    }

    /**
     * Queues one text message.
     *
     * @return {@code false} when the socket is closed or was just closed for being too slow
     */
    boolean send(String json) {
        return write(new TextMessage(json));
    }

    /** Sends a WebSocket ping, which keeps idle sockets (and the proxies in front of them) alive. */
    boolean ping() {
        return write(new PingMessage());
    }

    private boolean write(org.springframework.web.socket.WebSocketMessage<?> message) {
        if (!session.isOpen()) {
            return false;
        }
        try {
            session.sendMessage(message);
            return true;
        } catch (SessionLimitExceededException e) {
            log.debug("closing slow socket {}: {}", raw.getId(), e.getMessage());
            close(SLOW_CLIENT);
            return false;
        } catch (IOException | IllegalStateException e) {
            log.debug("write to socket {} failed: {}", raw.getId(), e.toString());
            close(CloseStatus.SERVER_ERROR);
            return false;
        }
    }

    void close(CloseStatus status) {
        try {
            raw.close(status);
        } catch (IOException | IllegalStateException e) {
            log.trace("socket {} was already closing: {}", raw.getId(), e.toString());
        }
    }
}
