package io.herald.fanout.ws;

import java.util.function.LongSupplier;

/**
 * How many messages one socket may send: a token bucket of {@code perSecond} tokens a second holding a second's
 * worth, so a client may send a burst of {@code perSecond} at once. A message over the limit is dropped; the
 * first one dropped in a second is answered (one {@code error} a second at most, not one per dropped message);
 * a client that has more than {@code perSecond} messages dropped within one second — it sends at twice the rate
 * or more — is to be closed.
 *
 * <p>Not thread-safe: used on the socket's I/O thread only. Time comes from {@code nanos}, so tests need no
 * clock.
 */
final class MessageRate {

    /** What to do with one message. */
    enum Verdict {
        /** Handle it. */
        ACCEPT,
        /** Drop it and tell the client it is over the limit. */
        WARN,
        /** Drop it silently: the client was told this second already. */
        DROP,
        /** Drop it and close the socket: the client goes on sending far over the limit. */
        CLOSE
    }

    private static final long SECOND = 1_000_000_000L;

    private final int perSecond;
    private final long nanosPerToken;
    private final LongSupplier nanos;
    private double tokens;
    private long refilledAt;
    private long windowStart;
    private int droppedInWindow;

    MessageRate(int perSecond, LongSupplier nanos) {
        this.perSecond = perSecond;
        this.nanosPerToken = SECOND / perSecond;
        this.nanos = nanos;
        this.tokens = perSecond;
        this.refilledAt = nanos.getAsLong();
        this.windowStart = refilledAt;
    }

    /** Counts one message the client sent and says what to do with it. */
    Verdict next() {
        long now = nanos.getAsLong();
        tokens = Math.min(perSecond, tokens + (double) (now - refilledAt) / nanosPerToken);
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.ACCEPT;
        }
        if (now - windowStart >= SECOND) {
            windowStart = now;
            droppedInWindow = 0;
        }
        droppedInWindow++;
        if (droppedInWindow > perSecond) {
            return Verdict.CLOSE;
        }
        return droppedInWindow == 1 ? Verdict.WARN : Verdict.DROP;
    }
}
