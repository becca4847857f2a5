package io.herald.bench;

/**
 * A paced phase of {@code pipeline-e2e}: the rate offered, the rate delivered (its drain included), and the
 * deliveries.
 */
record Phase(double offered, double achieved, PipelinePacer.Paced paced) {

    /**
     * Delivered at 95% of the pace or better, with p99 under a second: no queue that grows. (A phase far below the
     * limit delivers 97-98% of its pace: its rate counts the drain after the last publish, and the publisher itself
     * runs a little behind its pace on busy cores.)
     */
    boolean keptUp() {
        return achieved >= offered * 0.95 && paced.latencies().percentileMillis(99) < 1_000;
    }
}
