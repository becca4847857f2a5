package io.herald.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies in microseconds, kept in an HdrHistogram to three significant digits (a percentile is off by under
 * 0.1%), so a run of millions costs a few kilobytes and no sort. A value below zero (a Kafka record's timestamp has
 * millisecond resolution, so a short latency measured against it can come out negative) counts as zero. Not
 * thread-safe: latencies recorded from many threads go through a {@link Concurrent} instead.
 */
final class Latencies {

    private final Histogram histogram;

    Latencies() {
        this(new Histogram(3));
    }

    private Latencies(Histogram histogram) {
        this.histogram = histogram;
    }

    void record(long micros) {
        histogram.recordValue(Math.max(0, micros));
    }

    /** Adds what {@code other} recorded to these. */
    void add(Latencies other) {
        histogram.add(other.histogram);
    }

    long count() {
        return histogram.getTotalCount();
    }

    /** The {@code percentile}th (0-100) latency in milliseconds, or NaN when none was recorded. */
    double percentileMillis(double percentile) {
        if (histogram.getTotalCount() == 0) {
            return Double.NaN;
        }
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }

    /** Latencies recorded from any number of threads at once, read as the interval since the last read. */
    static final class Concurrent {
        private final Recorder recorder = new Recorder(3);

        /** Wait-free; any thread. */
        void record(long micros) {
            recorder.recordValue(Math.max(0, micros));
        }

        /** Forgets what was recorded so far. */
        void reset() {
            recorder.reset();
        }

        /** What was recorded since the last {@link #reset()} or read; the next read starts afresh. */
        Latencies sinceLastRead() {
            return new Latencies(recorder.getIntervalHistogram());
        }
    }
}
