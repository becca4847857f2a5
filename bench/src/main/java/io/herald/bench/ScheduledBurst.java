package io.herald.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * When a burst's pushes reached the FCM emulator, measured from one instant (the events' {@code deliverAt}, or the
 * first publish of the same events unscheduled): lateness in seconds, sorted, and how many came before the instant.
 */
record ScheduledBurst(double[] latenessSeconds, long early) {

    /** The lateness of each of {@code arrivals} (when each push reached the emulator) after {@code from}. */
    static ScheduledBurst of(Instant from, List<Instant> arrivals) {
        double[] lateness = arrivals.stream()
                .mapToDouble(a -> Duration.between(from, a).toNanos() / 1e9)
                .sorted()
                .toArray();
        long early = Arrays.stream(lateness).filter(s -> s < 0).count();
        return new ScheduledBurst(lateness, early);
    }

    /** The {@code percentile}th (0-100) lateness, nearest rank; NaN when none arrived. */
    double percentile(double percentile) {
        if (latenessSeconds.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(percentile / 100 * latenessSeconds.length);
        return latenessSeconds[Math.clamp(rank - 1, 0, latenessSeconds.length - 1)];
    }

    double max() {
        return percentile(100);
    }

    String describe() {
        return String.format(
                Locale.ROOT,
                "%d pushes, p50 %.2f s, p99 %.2f s, max %.2f s, first %.2f s, %d before the instant",
                latenessSeconds.length,
                percentile(50),
                percentile(99),
                max(),
                percentile(0),
                early);
    }
}
