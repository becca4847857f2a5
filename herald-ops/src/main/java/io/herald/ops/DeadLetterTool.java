package io.herald.ops;

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
import java.util.function.Consumer;
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
 * Lists and replays any Herald dead-letter topic ({@code <topic>-dlt}): the work of {@code herald-ops dlt list} and
 * {@code herald-ops dlt replay} ({@link HeraldOps}). Plain Kafka clients, no Spring.
 *
 * <p>Both read the topic from its beginning to its end as it is when they start (records dead-lettered meanwhile
 * are left for the next run), every partition, without a consumer group (nothing is committed), and take every
 * record or those of a {@link Selection} (a reason code, a key). List never prints a record's value. Replay
 * republishes each record taken onto its original topic (its {@code herald-dlt-original-topic} header, else the
 * topic's name less {@code -dlt}), or onto another one, or with a dry run only says what it would do: same key, value and
 * headers, less the dead letter's and the retries' ({@code herald-dlt-*}, {@code herald-retry-*}, {@code
 * kafka_dlt-*}), plus {@code herald-replayed-from: <dlt>:<partition>:<offset>}. Replaying a record twice is
 * harmless, as Herald sends each delivery and routes each app's event id once. Not thread-safe; each call opens and
 * closes its own clients.
 */
public final class DeadLetterTool {

    /** Header naming the dead letter a replayed record came from. */
    public static final String REPLAYED_FROM = "herald-replayed-from";

    private final String bootstrap;
    private final PrintStream out;

    /** A tool for the cluster at {@code bootstrap} ({@code host:port,...}), printing on {@code out}. */
    public DeadLetterTool(String bootstrap, PrintStream out) {
        this.bootstrap = bootstrap;
        this.out = out;
    }

    /**
     * Which dead letters a command takes: those with reason code {@code reason} and key {@code key}, where given
     * (every one when neither is).
     */
    public record Selection(
            @Nullable String reason, @Nullable String key) {

        /** Every dead letter. */
        public static final Selection ALL = new Selection(null, null);

        boolean matches(ConsumerRecord<byte[], byte[]> r) {
            return (reason == null || reason.equals(header(r, HeraldHeaders.DLT_REASON_CODE)))
                    && (key == null || key.equals(keyOf(r)));
        }

        @Override
        public String toString() {
            return (reason == null ? "" : " with reason " + reason) + (key == null ? "" : " with key " + key);
        }
    }

    /**
     * Prints the dead letters of {@code dlt} that {@code selection} takes, one line each (never the value, which may
     * hold what a user may not show: only partition/offset, time, reason code, key, reason, original topic,
     * service); returns how many.
     */
    public int list(String dlt, Selection selection) {
        int listed = read(dlt, selection, this::print);
        out.printf("%d records%s in %s%n", listed, selection, dlt);
        return listed;
    }

    /**
     * Publishes the dead letters of {@code dlt} that {@code selection} takes again onto {@code to}, or each onto its
     * original topic; returns how many. With {@code dryRun}, prints each of them and where it would go, and
     * publishes nothing.
     */
    public int replay(String dlt, Selection selection, @Nullable String to, boolean dryRun)
            throws InterruptedException, ExecutionException {
        if (dryRun) {
            int found = read(dlt, selection, r -> {
                print(r);
                out.printf("\t-> %s%n", to != null ? to : originalTopic(dlt, r));
            });
            out.printf("would replay %d records%s from %s (dry run: nothing published)%n", found, selection, dlt);
            return found;
        }
        var props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        int replayed;
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            // Sent as they are read (the records are not held), each send's outcome checked once all are read.
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            replayed = read(dlt, selection, r -> {
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
            });
            for (Future<RecordMetadata> send : sends) {
                send.get();
            }
        }
        out.printf("replayed %d records%s from %s%n", replayed, selection, dlt);
        return replayed;
    }

    private void print(ConsumerRecord<byte[], byte[]> r) {
        out.printf(
                "%d/%d\t%s\t%s\tkey=%s\t%s\tfrom %s by %s%n",
                r.partition(),
                r.offset(),
                Instant.ofEpochMilli(r.timestamp()),
                header(r, HeraldHeaders.DLT_REASON_CODE),
                keyOf(r),
                header(r, HeraldHeaders.DLT_REASON),
                header(r, HeraldHeaders.DLT_ORIGINAL_TOPIC),
                header(r, HeraldHeaders.DLT_SERVICE));
    }

    /** Hands {@code action} each record of {@code topic} that {@code selection} takes, in turn; returns how many. */
    private int read(String topic, Selection selection, Consumer<ConsumerRecord<byte[], byte[]>> action) {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        int found = 0;
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            if (partitions.isEmpty()) {
                throw new IllegalArgumentException("no topic " + topic + " at " + bootstrap);
            }
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
                            && selection.matches(r)) {
                        action.accept(r);
                        found++;
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

    private static String keyOf(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
