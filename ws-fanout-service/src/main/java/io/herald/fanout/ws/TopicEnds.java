package io.herald.fanout.ws;

import io.herald.events.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.stereotype.Component;

/**
 * The end of each partition of {@code herald.inapp.v1} now: every record published so far lies below it. A
 * resume from a notification id whose inbox row is not there yet waits for the inbox writers to pass it, so it
 * knows whether the row is late or will never come. The admin client is made on first use. Thread-safe.
 */
@Component
class TopicEnds implements DisposableBean {

    private final KafkaAdmin kafkaAdmin;
    private @Nullable Admin admin; // guarded by this

    TopicEnds(KafkaAdmin kafkaAdmin) {
        this.kafkaAdmin = kafkaAdmin;
    }

    /**
     * The end offset of each of {@code partitions}.
     *
     * @throws TimeoutException when Kafka does not answer within {@code timeout}
     */
    Map<Integer, Long> of(Collection<Integer> partitions, Duration timeout)
            throws InterruptedException, TimeoutException, ExecutionException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(partition -> request.put(new TopicPartition(Topics.INAPP, partition), OffsetSpec.latest()));
        var options = new ListOffsetsOptions().timeoutMs((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        var ends = admin().listOffsets(request, options).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<Integer, Long> byPartition = new HashMap<>();
        ends.forEach((partition, info) -> byPartition.put(partition.partition(), info.offset()));
        return byPartition;
    }

    private synchronized Admin admin() {
        Admin current = admin;
        if (current == null) {
            current = Admin.create(kafkaAdmin.getConfigurationProperties());
            admin = current;
        }
        return current;
    }

    @Override
    public synchronized void destroy() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
    }
}
