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
 * @param resumeLimit {@code resume-limit}: the most notifications one {@code resume} replays
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
        @DefaultValue("500") int resumeLimit) {

    public SocketProperties {
        if (nodeId == null || nodeId.isBlank()) {
            nodeId = UUID.randomUUID().toString();
        }
    }

    /** This node's live consumer group: every node sees every notification. */
    public String liveGroupId() {
        return "herald-ws-fanout-service-live-" + nodeId;
    }
}
