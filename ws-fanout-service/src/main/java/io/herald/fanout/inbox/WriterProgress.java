package io.herald.fanout.inbox;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.stereotype.Component;

/**
 * Records the inbox writers' progress when a writer is given partitions: its consumer starts at the group's
 * committed offset, and every record below that was stored (or dead-lettered) before it was committed. Without
 * it, a partition no record has reached since this version was deployed — or since its last record was stored —
 * would have no progress at all, and a resume for its users would wait in vain.
 */
@Component
class WriterProgress implements ConsumerAwareRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(WriterProgress.class);

    private final InboxStore store;

    WriterProgress(InboxStore store) {
        this.store = store;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Map<Integer, Long> committed = new HashMap<>();
        try {
            for (TopicPartition partition : partitions) {
                committed.put(partition.partition(), consumer.position(partition));
            }
            store.recordProgress(committed);
        } catch (RuntimeException e) {
            // The next batch stored records the progress of its partitions all the same.
            log.warn("inbox writer progress not recorded on assignment of {}: {}", partitions, e.toString());
        }
    }
}
