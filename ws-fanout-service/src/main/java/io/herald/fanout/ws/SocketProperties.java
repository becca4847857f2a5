package io.herald.fanout.ws;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * WebSocket settings, {@code herald.fanout.ws.*}.
 *
 * @param port {@code port}: the WebSocket's port (0 for any free one); the internal API and the actuator are
 *     on {@code server.port}
 * @param ioThreads {@code io-threads}: threads reading and writing the sockets (0: two per core)
 * @param nodeId {@code node-id}: this node's name, unique among the nodes (it names the node's live consumer
 *     group); a random id when unset
 * @param pingInterval {@code ping-interval}: how often idle sockets get a WebSocket ping
 * @param sendTimeLimit {@code send-time-limit}: the longest one write to a client may take before the client
 *     counts as slow and is disconnected
 * @param sendBufferLimit {@code send-buffer-limit}: the most bytes queued for one client before it counts as
 *     slow and is disconnected (close code 4008); it can reconnect and {@code resume}
 * @param maxMessageSize {@code max-message-size}: the largest message a client may send
 * @param allowedOrigins {@code allowed-origins}: browser origins allowed to open a socket ({@code *} for any)
 * @param resumeLimit {@code resume-limit}: the most notifications one {@code resume} replays (the newest of
 *     those missed), and the most live notifications one socket holds back while its resume is under way
 * @param handshakeTimeout {@code handshake-timeout}: a connection that has not completed its WebSocket handshake
 *     this long after it was accepted is closed
 * @param maxSockets {@code max-sockets}: the most sockets this node holds; one more is closed with 1013
 * @param maxSocketsPerUser {@code max-sockets-per-user}: the most sockets one user holds on this node; one more
 *     is closed with 4030
 * @param maxMessagesPerSecond {@code max-messages-per-second}: messages one socket may send per second (a
 *     second's worth at once); more are answered with an {@code error rate_limited}, and a client that sends
 *     twice as many for a second is closed with 4029
 * @param maxQueuedMessages {@code max-queued-messages}: messages of one socket waiting for their answer before
 *     the node stops reading that socket until they are answered
 * @param resumeWait {@code resume-wait}: the longest a {@code resume} waits for the inbox writer to store what
 *     it must replay; then the socket is closed with 1013 and the client resumes again
 * @param resumeWindow {@code resume-window}: how long a new socket holds back its live notifications waiting for
 *     its first message (a {@code resume}), so a replay and the live stream do not overlap
 * @param actionTimeout {@code action-timeout}: the longest a {@code work_response} waits for Kafka to acknowledge
 *     it before the client is answered {@code unavailable}
 */
@ConfigurationProperties("herald.fanout.ws")
public record SocketProperties(
        @DefaultValue("8083") int port,
        @DefaultValue("0") int ioThreads,
        @Nullable String nodeId,
        @DefaultValue("25s") Duration pingInterval,
        @DefaultValue("10s") Duration sendTimeLimit,
        @DefaultValue("512KB") DataSize sendBufferLimit,
        @DefaultValue("8KB") DataSize maxMessageSize,
        @DefaultValue("*") List<String> allowedOrigins,
        @DefaultValue("500") int resumeLimit,
        @DefaultValue("5s") Duration handshakeTimeout,
        @DefaultValue("50000") int maxSockets,
        @DefaultValue("10") int maxSocketsPerUser,
        @DefaultValue("50") int maxMessagesPerSecond,
        @DefaultValue("16") int maxQueuedMessages,
        @DefaultValue("10s") Duration resumeWait,
        @DefaultValue("1s") Duration resumeWindow,
        @DefaultValue("5s") Duration actionTimeout) {

    public SocketProperties {
        if (nodeId == null || nodeId.isBlank()) {
            nodeId = UUID.randomUUID().toString();
        }
        positive("resume-limit", resumeLimit);
        positive("max-sockets", maxSockets);
        positive("max-sockets-per-user", maxSocketsPerUser);
        positive("max-messages-per-second", maxMessagesPerSecond);
        positive("max-queued-messages", maxQueuedMessages);
        positive("handshake-timeout", handshakeTimeout);
        positive("resume-wait", resumeWait);
        positive("action-timeout", actionTimeout);
        if (resumeWindow.isNegative()) {
            throw new IllegalArgumentException("herald.fanout.ws.resume-window must not be negative");
        }
    }

    private static void positive(String key, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("herald.fanout.ws." + key + " must be at least 1");
        }
    }

    private static void positive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("herald.fanout.ws." + key + " must be positive");
        }
    }

    /** This node's live consumer group: every node sees every notification. */
    public String liveGroupId() {
        return "herald-ws-fanout-service-live-" + nodeId;
    }
}
