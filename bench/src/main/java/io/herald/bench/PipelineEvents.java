package io.herald.bench;

import io.herald.events.Ids;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code pipeline-e2e}'s events, as an upstream app in any language would write them: event {@code i} is a like for
 * {@code user-(i % users)}, who has {@code i % users % 3 + 1} devices, so how many deliveries any run of events makes
 * is known without counting. Each carries its publish time ({@link #SENT_AT}, µs) in its data, which the pushes
 * carry on to the emulators. Thread-safe.
 */
final class PipelineEvents {

    /** The data key of an event's publish time, in µs since the epoch. */
    static final String SENT_AT = "benchSentAtMicros";

    /** Devices of three users in a row: one, two and three. */
    private static final int DEVICES_PER_THREE_USERS = 1 + 2 + 3;

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

    /** Deliveries an event makes on average (over each three users in a row). */
    double deliveriesPerEvent() {
        return DEVICES_PER_THREE_USERS / 3.0;
    }

    /** How many events were made so far: the index of the next. */
    long position() {
        return sequence.get();
    }

    /** The deliveries of the {@code count} events from {@code first} on. */
    long deliveries(long first, long count) {
        return deliveriesBefore(first + count) - deliveriesBefore(first);
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

    /** The deliveries of events {@code 0} to {@code events - 1}. */
    private long deliveriesBefore(long events) {
        long full = events / users;
        long deliveries = full * ((long) users / 3 * DEVICES_PER_THREE_USERS + tail(users % 3));
        long rest = events % users;
        deliveries += rest / 3 * DEVICES_PER_THREE_USERS + tail((int) (rest % 3));
        return deliveries;
    }

    /** Devices of the first {@code count} (0 to 2) users of a group of three. */
    private static int tail(int count) {
        return count == 0 ? 0 : count == 1 ? 1 : 3;
    }
}
