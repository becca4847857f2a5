package io.herald.bench;

import io.herald.events.Ids;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code pipeline-e2e}'s events, as an upstream app in any language would write them: event {@code i} is a like for
 * {@code user-(i % users)}, who has one FCM device, so every event makes one delivery as issue #26 defines it (one
 * recipient, one FCM device, in-app too: a push and an in-app notification). Each carries its publish time
 * ({@link #SENT_AT}, µs) in its data, which the pushes carry on to the emulators. Thread-safe.
 */
final class PipelineEvents {

    /** The data key of an event's publish time, in µs since the epoch. */
    static final String SENT_AT = "benchSentAtMicros";

    private final int users;
    private final AtomicLong sequence = new AtomicLong();

    PipelineEvents(int users) {
        this.users = users;
    }

    /** The next event, published now. */
    byte[] next() {
        long i = sequence.getAndIncrement();
        return ("{\"eventId\":\"" + Ids.newEventId() + "\",\"schemaVersion\":1,\"type\":\"product_like\","
                        + "\"source\":\"bench\",\"occurredAt\":\"" + Instant.now() + "\","
                        + "\"actor\":{\"id\":\"bench-actor\",\"displayName\":\"Bob\"},"
                        + "\"recipients\":[\"user-" + (i % users) + "\"],"
                        + "\"object\":{\"id\":\"p-1\",\"kind\":\"product\",\"title\":\"Red bike\"},"
                        + "\"data\":{\"productId\":\"p-1\",\"" + SENT_AT + "\":\"" + EpochMicros.now()
                        + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Deliveries an event makes: one (one recipient, one FCM device). */
    double deliveriesPerEvent() {
        return 1;
    }

    /** How many events were made so far: the index of the next. */
    long position() {
        return sequence.get();
    }

    /** The deliveries (and pushes) of the {@code count} events from {@code first} on: one each. */
    long deliveries(long first, long count) {
        return count;
    }

    /** The deliveries of the {@code count} events from the next on. */
    long deliveriesOfNext(long count) {
        return deliveries(position(), count);
    }

    /** The size of the last event made, in bytes, made again (and not counted as another of the run's). */
    int size() {
        sequence.decrementAndGet();
        return next().length;
    }
}
