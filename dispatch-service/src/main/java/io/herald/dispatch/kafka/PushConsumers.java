package io.herald.dispatch.kafka;

import io.herald.dispatch.delivery.DeadLetterStatuses;
import io.herald.dispatch.delivery.Dispatcher;
import io.herald.dispatch.delivery.Retries;
import io.herald.events.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.listener.BatchAcknowledgingMessageListener;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Component;

/**
 * The consumers of dispatch-service: {@code herald.push.v1} (group {@code dispatcher}), each retry topic in a
 * container of its own (group {@code herald-dispatcher-retry-N}, so a wait on one never holds up another), and {@code
 * herald.push.v1-dlt} (group {@code dispatcher-dlt}: the {@code dead_lettered} row, and its status when statuses are
 * published).
 *
 * <p>A retry topic is read in order; records not yet due are not processed: the container pauses until the
 * first of them is (Spring Kafka's {@code nack}), and the records before it are committed. No record is due
 * later than the longest backoff or {@code herald.dispatch.retry.max-retry-after} after it was written (a
 * provider asking for longer sends the delivery to the dead-letter topic instead), so no pause is longer.
 */
@Component
class PushConsumers implements SmartLifecycle {

    private final Dispatcher dispatcher;
    private final DeadLetterStatuses deadLetters;
    private final Clock clock;
    private final List<ConcurrentMessageListenerContainer<String, byte[]>> retryContainers = new ArrayList<>();
    private volatile boolean running;

    PushConsumers(
            Dispatcher dispatcher,
            DeadLetterStatuses deadLetters,
            Retries retries,
            Clock clock,
            ConcurrentKafkaListenerContainerFactory<String, byte[]> pushBatchFactory) {
        this.dispatcher = dispatcher;
        this.deadLetters = deadLetters;
        this.clock = clock;
        List<String> topics = retries.topics();
        for (int i = 0; i < topics.size(); i++) {
            var container = pushBatchFactory.createContainer(topics.get(i));
            container.getContainerProperties().setGroupId("herald-dispatcher-retry-" + i);
            container.setBeanName("dispatcher-retry-" + i);
            // Manual acks: the container always passes an Acknowledgment.
            container.setupMessageListener((BatchAcknowledgingMessageListener<String, byte[]>)
                    (records, ack) -> onRetries(records, Objects.requireNonNull(ack)));
            retryContainers.add(container);
        }
    }

    @KafkaListener(
            id = "dispatcher",
            groupId = "herald-dispatcher",
            topics = Topics.PUSH,
            containerFactory = "pushBatchFactory",
            concurrency = "${herald.dispatch.consumers:1}",
            // A poll pays its statements and waits for its slowest send: fetches wait up to 10 ms for 16 KB of
            // deliveries, so that a poll takes tens of them at moderate rates rather than one or two (pipeline-e2e).
            properties = {"fetch.min.bytes=16384", "fetch.max.wait.ms=10"})
    void onDeliveries(List<ConsumerRecord<String, byte[]>> records, Acknowledgment ack) throws InterruptedException {
        dispatcher.dispatch(records);
        ack.acknowledge();
    }

    private void onRetries(List<ConsumerRecord<String, byte[]>> records, Acknowledgment ack) {
        Instant now = clock.instant();
        int due = 0;
        while (due < records.size() && !Retries.notBefore(records.get(due)).isAfter(now)) {
            due++;
        }
        try {
            if (due > 0) {
                dispatcher.dispatch(records.subList(0, due));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending retries", e);
        }
        if (due == records.size()) {
            ack.acknowledge();
        } else {
            Duration wait = Duration.between(clock.instant(), Retries.notBefore(records.get(due)));
            ack.nack(due, wait.isNegative() ? Duration.ZERO : wait);
        }
    }

    @KafkaListener(id = "dispatcher-dlt", groupId = "herald-dispatcher-dlt", topics = Topics.PUSH_DLT)
    void onDeadLetter(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        deadLetters.onDeadLetter(record);
    }

    @Override
    public void start() {
        retryContainers.forEach(ConcurrentMessageListenerContainer::start);
        running = true;
    }

    @Override
    public void stop() {
        retryContainers.forEach(ConcurrentMessageListenerContainer::stop);
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
