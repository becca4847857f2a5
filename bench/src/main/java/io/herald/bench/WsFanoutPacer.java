package io.herald.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes {@code ws-fanout}'s paced steps to one target, round-robin over its users, and judges each: kept when
 * every notification arrived within 10 s of the step's end, the p99 stayed under {@link
 * WsFanoutSettings#maxP99Millis()} and the publisher kept (nearly) to the pace.
 */
final class WsFanoutPacer {

    /** What one step gave. */
    record Step(int rate, double achieved, double p99, boolean kept) {

        /** The rate this step shows sustained: what was offered, or less when the publisher fell behind. */
        double sustained() {
            return Math.min(achieved, rate);
        }
    }

    private final WsFanoutTarget target;
    private final SocketDeliveries deliveries;
    private final WsFanoutSettings settings;
    private int next;

    WsFanoutPacer(WsFanoutTarget target, SocketDeliveries deliveries, WsFanoutSettings settings) {
        this.target = target;
        this.deliveries = deliveries;
        this.settings = settings;
    }

    /** {@code rate} notifications a second for a step, then a line about it; a warm-up step is judged but marked. */
    Step step(int rate, boolean warmUp) throws Exception {
        deliveries.reset();
        long count = (long) rate * settings.stepSeconds();
        long start = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        for (long n = 0; n < count; n++) {
            long due = start + n * interval;
            long wait = due - System.nanoTime();
            if (wait > 50_000) {
                LockSupport.parkNanos(wait);
            }
            target.publish("user-" + (next++ % settings.connections()), EpochMicros.now());
        }
        target.flush();
        double sendSeconds = (System.nanoTime() - start) / 1e9;
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (deliveries.received() < count && System.nanoTime() < drainUntil) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        long got = deliveries.received();
        Latencies latencies = deliveries.latencies();
        double p99 = latencies.percentileMillis(99);
        double achieved = count / sendSeconds;
        boolean kept = got == count && p99 < settings.maxP99Millis() && sendSeconds < settings.stepSeconds() * 1.1;
        long backlog = target.storeBacklog();
        System.out.printf(
                "%s: rate %d/s -> published at %.0f/s, delivered %d of %d, p50 %.1f ms, p99 %.1f ms%s%s%n",
                target.name(),
                rate,
                achieved,
                got,
                count,
                latencies.percentileMillis(50),
                p99,
                backlog < 0 ? "" : ", inbox writer " + backlog + " behind",
                warmUp ? " (warm-up)" : kept ? "" : " (not sustained)");
        if (got < count) {
            // What is still on its way would count in the next step: let the target catch up first.
            long last = -1;
            long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (deliveries.received() != last && System.nanoTime() < until) {
                last = deliveries.received();
                TimeUnit.SECONDS.sleep(2);
            }
        }
        return new Step(rate, achieved, p99, kept);
    }
}
