package io.herald.bench;

import java.util.concurrent.CompletableFuture;

/** What one server under test in {@code ws-fanout} offers the benchmark: sockets, a feed, its heap. */
interface WsFanoutTarget extends AutoCloseable {

    String name();

    /** Bytes of heap in use after a full collection. */
    long heapAfterGc() throws Exception;

    /**
     * Opens one authenticated socket for {@code user}; completes when the server has accepted it. Every
     * notification it then gets goes to {@code deliveries}.
     */
    CompletableFuture<WsClients.Socket> connect(
            WsClients clients, String user, String jwt, SocketDeliveries deliveries);

    /** Publishes one notification for {@code user}, carrying {@code sentMicros}. */
    void publish(String user, long sentMicros) throws Exception;

    void flush() throws Exception;

    /**
     * Notifications the target has delivered live but not yet stored (its inbox writer's consumer lag), or -1 when
     * it stores none.
     */
    default long storeBacklog() throws Exception {
        return -1;
    }
}
