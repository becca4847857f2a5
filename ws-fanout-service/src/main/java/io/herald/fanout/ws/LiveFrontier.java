package io.herald.fanout.ws;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.stereotype.Component;

/**
 * How far this node's live path has got in each partition of {@code herald.inapp.v1}: the offset of the next
 * record it will look up sockets for. Every record below it has been either pushed to the sockets open when it
 * was looked up, or never read by this node (it came before the node started); every record from it on will be
 * pushed to the sockets open by then. A {@code resume} replays from the inbox what lies below it and lets the live
 * path bring the rest.
 *
 * <p>It moves on before the sockets of a poll's records are looked up (never after), so a socket opened while a
 * poll is being pushed finds each record of it either below the frontier (replayed) or pushed to it — sometimes
 * both, which the socket's {@link StreamGate} drops. Thread-safe.
 */
@Component
class LiveFrontier implements ConsumerAwareRebalanceListener {

    /** A partition given to the live path whose position could not be read. */
    private static final long UNKNOWN = -1;

    private static final Logger log = LoggerFactory.getLogger(LiveFrontier.class);

    private final ConcurrentHashMap<Integer, Long> next = new ConcurrentHashMap<>();

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            long position = UNKNOWN;
            try {
                // Where the live consumer starts: the newest record for a node seen for the first time.
                position = consumer.position(partition);
            } catch (RuntimeException e) {
                // Known again when its next record passes; a resume there waits until then.
                log.warn("live frontier of {} unknown: {}", partition, e.toString());
            }
            next.put(partition.partition(), position);
        }
    }

    @Override
    public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        partitions.forEach(partition -> next.remove(partition.partition()));
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        partitions.forEach(partition -> next.remove(partition.partition()));
    }

    /** Moves past a poll's records; called before their sockets are looked up. */
    void passing(List<? extends ConsumerRecord<?, ?>> records) {
        int partition = -1;
        long after = -1;
        for (ConsumerRecord<?, ?> record : records) {
            if (record.partition() != partition) {
                if (partition >= 0) {
                    next.merge(partition, after, Math::max);
                }
                partition = record.partition();
            }
            after = record.offset() + 1;
        }
        if (partition >= 0) {
            next.merge(partition, after, Math::max);
        }
    }

    /** Whether this node's live path reads {@code partition}, or (reading none yet) may come to. */
    boolean mayRead(int partition) {
        return next.isEmpty() || next.containsKey(partition);
    }

    /**
     * The frontier of {@code partition}, waiting up to {@code timeout} for it to be known (a node just started, or
     * the consumer could not tell its position).
     *
     * @return empty when it is not known in time, or the live path does not read that partition ({@link #mayRead})
     */
    OptionalLong await(int partition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Long frontier = next.get(partition);
            if (frontier != null && frontier != UNKNOWN) {
                return OptionalLong.of(frontier);
            }
            long left = deadline - System.nanoTime();
            if (!mayRead(partition) || left <= 0) {
                return OptionalLong.empty();
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        }
    }

    /** The partitions the live path reads, waiting up to {@code timeout} for it to be given any. */
    Set<Integer> awaitPartitions(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (next.isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return Set.copyOf(next.keySet());
    }
}
