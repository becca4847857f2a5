package io.herald.bench;

import io.herald.testkit.KafkaBroker;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code pipeline-e2e}'s peer: raw Kafka on the same broker, records produced (acks=all) and consumed at once on a
 * topic of three partitions, {@code bench.raw.v1}: the ceiling the machine sets.
 */
final class RawKafkaRoundTrip {

    private static final String TOPIC = "bench.raw.v1";

    private RawKafkaRoundTrip() {}

    /** Produces {@code records} records of {@code size} bytes and consumes them, concurrently; records per second. */
    static double recordsPerSecond(KafkaBroker kafka, long records, int size) throws Exception {
        try (var admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get();
        }
        byte[] value = new byte[size];
        Arrays.fill(value, (byte) 'x');
        var p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        var c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-raw");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Both clients connected, the consumer's partitions assigned, before the clock starts.
        var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        producer.partitionsFor(TOPIC);
        var consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(TOPIC));
        while (consumer.assignment().isEmpty()) {
            consumer.poll(Duration.ofMillis(100));
        }
        long began = System.nanoTime();
        Thread producing = Thread.ofPlatform().start(() -> {
            try (producer) {
                for (long i = 0; i < records; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, value));
                }
            }
        });
        long consumed = 0;
        try (consumer) {
            while (consumed < records) {
                consumed += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        producing.join();
        return records / ((System.nanoTime() - began) / 1e9);
    }
}
