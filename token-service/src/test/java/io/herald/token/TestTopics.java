package io.herald.token;

import io.herald.events.HeraldJson;
import io.herald.events.InAppNotification;
import io.herald.events.PushDelivery;
import io.herald.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/**
 * A test's view of token-service's topics: publishes events, and reads what routing wrote (pushes, in-app
 * notifications, dead letters) from their beginnings, assigned (no group), and keeps it. Thread-safe.
 */
public final class TestTopics implements AutoCloseable {

    /** The consumer group of token-service's routing. */
    static final String ROUTER_GROUP = "herald-token-router";

    private final String bootstrapServers;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    public TestTopics(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        var p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        var c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Publishes an event (JSON) on herald.events.v1 keyed by its id, and waits for Kafka to have it. */
    public void publish(UUID eventId, String json) {
        try {
            producer.send(new ProducerRecord<>(
                            Topics.EVENTS, eventId.toString(), json.getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Everything read from the output topics so far (each call reads on). */
    public synchronized List<ConsumerRecord<String, byte[]>> records() {
        if (consumer.assignment().isEmpty()) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.PUSH, Topics.INAPP, Topics.EVENTS_DLT)) {
                consumer.partitionsFor(topic)
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        return List.copyOf(seen);
    }

    /**
     * Everything on the output topics up to their ends as of this call: once routing has marked an event as
     * routed, every record it made for it is among them.
     */
    public synchronized List<ConsumerRecord<String, byte[]>> recordsToEnd() {
        records();
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the output topics were not read to their ends in 30 s");
            }
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        }
        return List.copyOf(seen);
    }

    /**
     * Waits until routing has committed every event published on herald.events.v1 so far (its group's offsets reach
     * the topic's ends), then reads every record it made up to now: routing commits a poll only once Kafka has
     * acknowledged all its notifications.
     */
    public void awaitRouted() {
        var config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(config)) {
            Map<TopicPartition, Long> ends;
            synchronized (this) {
                List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
                        .toList();
                ends = consumer.endOffsets(partitions);
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(ROUTER_GROUP)
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
                return ends.entrySet().stream()
                        .allMatch(e -> e.getValue() == 0
                                || (committed.get(e.getKey()) != null
                                        && committed.get(e.getKey()).offset() >= e.getValue()));
            });
        }
        recordsToEnd();
    }

    public List<PushDelivery> pushesOf(UUID eventId) {
        return records().stream()
                .filter(r -> r.topic().equals(Topics.PUSH))
                .map(r -> HeraldJson.mapper().readValue(r.value(), PushDelivery.class))
                .filter(p -> p.eventId().equals(eventId))
                .toList();
    }

    public List<InAppNotification> inAppOf(UUID eventId) {
        return records().stream()
                .filter(r -> r.topic().equals(Topics.INAPP))
                .map(r -> HeraldJson.mapper().readValue(r.value(), InAppNotification.class))
                .filter(n -> n.eventId().equals(eventId))
                .toList();
    }

    public List<ConsumerRecord<String, byte[]>> deadLettersOf(UUID eventId) {
        return records().stream()
                .filter(r -> r.topic().equals(Topics.EVENTS_DLT)
                        && eventId.toString().equals(r.key()))
                .toList();
    }

    public static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close();
        synchronized (this) {
            consumer.close();
        }
    }
}
