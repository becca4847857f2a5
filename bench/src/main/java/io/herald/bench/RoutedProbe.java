package io.herald.bench;

import io.herald.events.HeraldJson;
import io.herald.events.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import tools.jackson.databind.JsonNode;

/**
 * Reads {@code herald.push.v1} from its end on a thread of its own while {@code pipeline-e2e} paces: a push record's
 * timestamp (set by token-service's producer) less its event's publish time is the first stage's share of the
 * latency.
 */
final class RoutedProbe implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final Latencies latencies = new Latencies();
    private final Thread thread;
    private volatile boolean stop;

    RoutedProbe(String bootstrapServers) {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.PUSH).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // the end now, before anything is published
        this.thread = Thread.ofPlatform().name("bench-routed-probe").start(this::read);
    }

    private void read() {
        while (!stop) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                if (record.value() == null) {
                    continue;
                }
                JsonNode sentAt = HeraldJson.mapper()
                        .readTree(record.value())
                        .path("data")
                        .path(PipelineEvents.SENT_AT);
                if (sentAt.isString()) {
                    long micros = record.timestamp() * 1_000 - Long.parseLong(sentAt.asString());
                    synchronized (latencies) {
                        latencies.record(micros);
                    }
                }
            }
        }
    }

    /** The latencies, once {@code expected} records were read (or after half a minute, what there is). */
    Latencies latencies(long expected) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (count() < expected && System.nanoTime() < until) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        synchronized (latencies) {
            var copy = new Latencies();
            copy.add(latencies);
            return copy;
        }
    }

    private long count() {
        synchronized (latencies) {
            return latencies.count();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join();
        consumer.close();
    }
}
