package io.herald.dispatch.ops;

import io.herald.events.HeraldHeaders;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

/**
 * Lists and replays any Herald dead-letter topic ({@code <topic>-dlt}). Plain Kafka clients, no Spring.
 *
 * <pre>
 * list   &lt;dlt-topic&gt; [--reason CODE]              one line per record: partition/offset, key, reason code, reason
 * replay &lt;dlt-topic&gt; [--reason CODE] [--to TOPIC]  publishes the records (all, or those with CODE) again
 *                                                onto their original topic, same key and value
 * </pre>
 *
 * Options: {@code --bootstrap HOST:PORT} (default {@code $HERALD_KAFKA_BOOTSTRAP_SERVERS} or {@code
 * localhost:9092}). Replay reads the topic from its beginning to its current end each time; replaying a
 * record twice is harmless, as Herald derives its ids and sends each delivery and routes each event once.
 * A replayed record carries {@code herald-replayed-from: <dlt>:<partition>:<offset>}.
 */
public final class DeadLetterTool {

    /** Header naming the dead letter a replayed record came from. */
    public static final String REPLAYED_FROM = "herald-replayed-from";

    private final String bootstrap;
    private final PrintStream out;

    public DeadLetterTool(String bootstrap, PrintStream out) {
        this.bootstrap = bootstrap;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        String env = System.getenv("HERALD_KAFKA_BOOTSTRAP_SERVERS");
        String bootstrap = Objects.requireNonNull(
                option(args, "--bootstrap", env == null || env.isBlank() ? "localhost:9092" : env));
        if (args.length < 2 || !(args[0].equals("list") || args[0].equals("replay"))) {
            System.err.println("usage: list|replay <dlt-topic> [--reason CODE] [--to TOPIC] [--bootstrap HOST:PORT]");
            System.exit(2);
        }
        var tool = new DeadLetterTool(bootstrap, System.out);
        String reason = option(args, "--reason", null);
        if (args[0].equals("list")) {
            tool.list(args[1], reason);
        } else {
            tool.replay(args[1], reason, option(args, "--to", null));
        }
    }

    /** Prints the records of {@code dlt} (with {@code reason} as their reason code, when given); returns how many. */
    public int list(String dlt, @Nullable String reason) {
        List<ConsumerRecord<byte[], byte[]>> records = read(dlt, reason);
        for (ConsumerRecord<byte[], byte[]> r : records) {
            out.printf(
                    "%d/%d\t%s\t%s\tkey=%s\t%s\tfrom %s by %s%n",
                    r.partition(),
                    r.offset(),
                    Instant.ofEpochMilli(r.timestamp()),
                    header(r, HeraldHeaders.DLT_REASON_CODE),
                    r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8),
                    header(r, HeraldHeaders.DLT_REASON),
                    header(r, HeraldHeaders.DLT_ORIGINAL_TOPIC),
                    header(r, HeraldHeaders.DLT_SERVICE));
        }
        out.printf("%d records%s in %s%n", records.size(), reason == null ? "" : " with reason " + reason, dlt);
        return records.size();
    }

    /**
     * Publishes the records of {@code dlt} (those with {@code reason}, when given) again onto {@code to}, or
     * each onto its original topic; returns how many.
     */
    public int replay(String dlt, @Nullable String reason, @Nullable String to)
            throws InterruptedException, ExecutionException {
        List<ConsumerRecord<byte[], byte[]>> records = read(dlt, reason);
        var props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                String target = to != null ? to : originalTopic(dlt, r);
                var record = new ProducerRecord<>(target, r.key(), r.value());
                for (Header h : r.headers()) {
                    // A replay starts afresh: no dead-letter reason, no retry count.
                    if (!h.key().startsWith("herald-dlt-")
                            && !h.key().startsWith("herald-retry-")
                            && !h.key().startsWith("kafka_dlt-")) {
                        record.headers().add(h);
                    }
                }
                record.headers()
                        .add(
                                REPLAYED_FROM,
                                (dlt + ":" + r.partition() + ":" + r.offset()).getBytes(StandardCharsets.UTF_8));
                sends.add(producer.send(record));
            }
            for (Future<RecordMetadata> send : sends) {
                send.get();
            }
        }
        out.printf(
                "replayed %d records%s from %s%n", records.size(), reason == null ? "" : " with reason " + reason, dlt);
        return records.size();
    }

    private List<ConsumerRecord<byte[], byte[]>> read(String topic, @Nullable String reason) {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < Objects.requireNonNull(end.get(p)))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end in 5 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() < Objects.requireNonNull(end.get(new TopicPartition(r.topic(), r.partition())))
                            && (reason == null || reason.equals(header(r, HeraldHeaders.DLT_REASON_CODE)))) {
                        found.add(r);
                    }
                }
            }
        }
        return found;
    }

    private static String originalTopic(String dlt, ConsumerRecord<byte[], byte[]> r) {
        String original = header(r, HeraldHeaders.DLT_ORIGINAL_TOPIC);
        if (!original.isEmpty()) {
            return original;
        }
        return dlt.endsWith("-dlt") ? dlt.substring(0, dlt.length() - 4) : dlt;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static @Nullable String option(String[] args, String name, @Nullable String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
