package io.herald.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the {@code ws-fanout} clients received: a count, and each notification's publish-to-socket latency (its
 * {@code sent_us} against this JVM's clock). Called from the clients' I/O threads; thread-safe.
 */
final class SocketDeliveries {

    private final AtomicLong received = new AtomicLong();
    private final Latencies.Concurrent latencies = new Latencies.Concurrent();

    /** One notification as the socket carried it (JSON or a socket.io event), with {@code "sent_us":"<µs>"} in it. */
    void delivered(String message) {
        int at = message.indexOf("\"sent_us\":\"");
        if (at < 0) {
            return;
        }
        int start = at + 11;
        int end = message.indexOf('"', start);
        latencies.record(EpochMicros.now() - Long.parseLong(message, start, end, 10));
        received.incrementAndGet();
    }

    long received() {
        return received.get();
    }

    /** Forgets what was received: a step starts. */
    void reset() {
        received.set(0);
        latencies.reset();
    }

    /** The latencies since the last {@link #reset()} or call. */
    Latencies latencies() {
        return latencies.sinceLastRead();
    }
}
