package io.herald.bench;

import java.time.Instant;

/**
 * Wall-clock time in microseconds since the epoch: what a benchmark writes into a message when it publishes it, and
 * reads back where it arrives (in this JVM, or, for a Kafka record's timestamp, in another one on this machine).
 */
final class EpochMicros {

    private EpochMicros() {}

    static long now() {
        return of(Instant.now());
    }

    static long of(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
    }
}
