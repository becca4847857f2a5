package io.herald.bench;

import io.herald.events.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes {@code pipeline-e2e}'s events onto {@code herald.events.v1} three ways, each waiting for every delivery
 * at the emulators: as one backlog, paced at a rate, and one at a time.
 */
final class PipelinePacer {

    /**
     * A backlog's deliveries, when the last reached its emulator and when the work they leave behind them (statuses
     * logged, notifications stored) was done, both from the first publish; by consumer group, how long after the
     * last push it had committed all (the slowest is what the figure waited for); and the routing and dispatching
     * groups' mean lag while it drained, which shows the stage that held it.
     */
    record Backlog(
            long deliveries,
            long arrivedNanos,
            long caughtUpNanos,
            Map<String, Double> groupsCaughtUpAfter,
            Map<String, Long> meanStageLag) {

        /** Deliveries a second, the work behind them included: the figure. */
        double rate() {
            return deliveries / (caughtUpNanos / 1e9);
        }

        /** Deliveries a second to the last push's arrival alone. */
        double pushRate() {
            return deliveries / (arrivedNanos / 1e9);
        }

        String describe() {
            StringBuilder groups = new StringBuilder();
            groupsCaughtUpAfter.forEach((group, seconds) -> groups.append(groups.isEmpty() ? "" : ", ")
                    .append(group)
                    .append(String.format(Locale.ROOT, " %.1f s", seconds)));
            return String.format(
                    Locale.ROOT,
                    "the last push arrived at %.0f/s and the statuses and inbox caught up %.1f s later (%s);"
                            + " records waiting on average until the last push %s",
                    pushRate(),
                    (caughtUpNanos - arrivedNanos) / 1e9,
                    groups,
                    meanStageLag);
        }
    }

    /**
     * A paced run's deliveries: how many, their publish-to-arrival latencies (all, and the median by provider), and
     * the publish-to-push-record latencies of the first stage.
     */
    record Paced(long count, Latencies latencies, Map<String, Double> medianMsByProvider, Latencies routed) {}

    private final KafkaProducer<String, byte[]> producer;
    private final PipelineEmulators emulators;
    private final PipelineEvents events;
    private final String bootstrapServers;

    PipelinePacer(
            KafkaProducer<String, byte[]> producer,
            PipelineEmulators emulators,
            PipelineEvents events,
            String bootstrapServers) {
        this.producer = producer;
        this.emulators = emulators;
        this.events = events;
        this.bootstrapServers = bootstrapServers;
    }

    /** Publishes {@code count} events at once and waits for every delivery and the work behind them. */
    Backlog backlog(int count, Bookkeeping bookkeeping) throws InterruptedException {
        emulators.clear();
        long expected = events.deliveriesOfNext(count);
        long began = System.nanoTime();
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(Topics.EVENTS, events.next()));
        }
        // Which stage holds the backlog: the routing and dispatching groups' lag, sampled meanwhile.
        Map<String, LongSummaryStatistics> lags =
                new TreeMap<>(Map.of("router", new LongSummaryStatistics(), "dispatcher", new LongSummaryStatistics()));
        var arrivedYet = new AtomicBoolean();
        Thread sampler = Thread.ofVirtual().start(() -> {
            try {
                while (!arrivedYet.get()) {
                    lags.get("router").accept(bookkeeping.lagOf("herald-token-router", Topics.EVENTS));
                    lags.get("dispatcher").accept(bookkeeping.lagOf("herald-dispatcher", Topics.PUSH));
                    TimeUnit.MILLISECONDS.sleep(250);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        producer.flush();
        awaitDeliveries(expected);
        long arrived = System.nanoTime() - began;
        arrivedYet.set(true);
        sampler.join();
        Map<String, Long> meanLag = new TreeMap<>();
        lags.forEach((stage, samples) -> meanLag.put(stage, (long) samples.getAverage()));
        Map<String, Double> groups = new TreeMap<>();
        bookkeeping.awaitCaughtUp().forEach((group, at) -> groups.put(group, Math.max(0, at - began - arrived) / 1e9));
        return new Backlog(expected, arrived, System.nanoTime() - began, groups, meanLag);
    }

    /**
     * Publishes at {@code deliveriesPerSecond} (in events) for {@code seconds}, then waits for every delivery. Also
     * reads {@code herald.push.v1} meanwhile ({@link RoutedProbe}).
     */
    Paced paced(double deliveriesPerSecond, int seconds) throws InterruptedException {
        emulators.clear();
        double eventsPerSecond = deliveriesPerSecond / events.deliveriesPerEvent();
        long total = (long) (eventsPerSecond * seconds);
        long expected = events.deliveriesOfNext(total);
        try (var routed = new RoutedProbe(bootstrapServers)) {
            long began = System.nanoTime();
            for (long i = 0; i < total; i++) {
                long due = began + (long) (i * 1e9 / eventsPerSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                producer.send(new ProducerRecord<>(Topics.EVENTS, events.next()));
            }
            producer.flush();
            awaitDeliveries(expected);
            List<Arrival> arrived = emulators.arrivals();
            System.out.printf(
                    "  over 250 ms, by the second of publishing: %s%n", Arrival.slowBySecond(arrived, 250_000));
            Map<String, Double> medians = new LinkedHashMap<>();
            Arrival.latenciesByProvider(arrived)
                    .forEach((provider, latencies) -> medians.put(provider, latencies.percentileMillis(50)));
            return new Paced(expected, Arrival.latencies(arrived), medians, routed.latencies(expected));
        }
    }

    /** Publishes {@code count} events one by one, each once the last one's deliveries all arrived; their latencies. */
    Latencies oneAtATime(int count) throws Exception {
        emulators.clear();
        long expected = 0;
        for (int i = 0; i < count; i++) {
            expected += events.deliveriesOfNext(1);
            producer.send(new ProducerRecord<>(Topics.EVENTS, events.next())).get();
            awaitDeliveries(expected);
        }
        return Arrival.latencies(emulators.arrivals());
    }

    /** Waits until the emulators have {@code expected} pushes since they were cleared (five minutes at most). */
    private void awaitDeliveries(long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (emulators.count() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "only " + emulators.count() + " of " + expected + " deliveries arrived in 5 minutes");
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }
}
