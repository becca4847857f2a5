package io.herald.bench;

import io.herald.events.Ids;
import io.herald.events.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Benchmark {@code topic-fanout} (issue #25): one event naming a topic ({@code topics: ["bench-topic"]}, no
 * recipients) whose every subscriber has one FCM device. Figures: push deliveries planned onto {@code herald.push.v1}
 * a second, from the event's publish until all are there (the growth of the topic's end offsets); and each service's
 * peak heap, for a topic of {@code BENCH_TOPIC_SMALL_SUBSCRIBERS} (default 100,000) and then of {@code
 * BENCH_TOPIC_SUBSCRIBERS} (default 1,000,000): the heap not growing with the topic's size.
 *
 * <p>The whole of Herald runs as in production ({@link PipelineStack}: every service a JVM of its own with its image's
 * collector and a 512 MB heap, PostgreSQL durable), each JVM writing {@code -Xlog:gc} ({@link GcLog}). The users and
 * subscriptions are copied in bulk ({@link BulkSetUp}): {@code user-0} ... each with one FCM device, the first
 * {@code BENCH_TOPIC_WARMUP_SUBSCRIBERS} (default 20,000) subscribed to {@code bench-topic-warm-up}, the first of the
 * small size to {@code bench-topic-small}, all to {@code bench-topic}. The warm-up topic's event goes first (not
 * measured), then the small topic's, then the large one's; each phase lasts until every push reached the FCM emulator
 * (which counts them without keeping them) and every group caught up, and its heap figures are those of its own
 * collections. The peer, in the same run once the pipeline is idle: a plain Kafka producer writing as many copies of
 * the pipeline's own push records (keys and values read back from {@code herald.push.v1}) to a topic of as many
 * partitions, acks=all.
 */
final class TopicFanoutBench {

    private static final String BENCH = "topic-fanout";

    private TopicFanoutBench() {}

    /** A fan-out phase: its deliveries a second, and each service JVM's heap over it. */
    private record Fanout(long deliveries, double seconds, Map<String, GcLog.Peak> heap) {

        double rate() {
            return deliveries / seconds;
        }
    }

    static void run() throws Exception {
        int large = Env.integer("BENCH_TOPIC_SUBSCRIBERS", 1_000_000);
        int small = Env.integer("BENCH_TOPIC_SMALL_SUBSCRIBERS", 100_000);
        int warmUp = Env.integer("BENCH_TOPIC_WARMUP_SUBSCRIBERS", 20_000);
        int fullGcSeconds = Env.integer("BENCH_TOPIC_FULL_GC_SECONDS", 10);
        PipelineSettings settings = PipelineSettings.fromEnvironment();
        try (var stack = PipelineStack.start(settings, new PipelineStack.Layout(1, Map.of(), true));
                var admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()));
                var groups = new Bookkeeping(stack.bootstrapServers())) {
            // A million pushes: counted by the emulator, not kept in the heap of the bench's JVM.
            stack.emulators().fcm().keepMessages(false);
            BulkSetUp.fcmDevices(stack.db(), Math.max(large, Math.max(small, warmUp)), TopicFanoutBench::user);
            BulkSetUp.subscriptions(stack.db(), "bench-topic-warm-up", warmUp, TopicFanoutBench::user);
            BulkSetUp.subscriptions(stack.db(), "bench-topic-small", small, TopicFanoutBench::user);
            BulkSetUp.subscriptions(stack.db(), "bench-topic", large, TopicFanoutBench::user);
            BenchPostgres.checkDurable(stack.db(), "at the start");
            var props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
            try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
                Fanout warm = fanout(stack, admin, groups, producer, "bench-topic-warm-up", warmUp, fullGcSeconds);
                System.out.printf(Locale.ROOT, "warm-up topic: %.0f deliveries/s%n", warm.rate());
                Fanout smaller = fanout(stack, admin, groups, producer, "bench-topic-small", small, fullGcSeconds);
                Fanout larger = fanout(stack, admin, groups, producer, "bench-topic", large, fullGcSeconds);
                double raw = rawProduce(stack, admin, large);
                System.out.printf(Locale.ROOT, "raw Kafka, copies of the push records: %.0f records/s%n", raw);
                BenchPostgres.checkDurable(stack.db(), "at the end");
                report(small, large, smaller, larger, raw, fullGcSeconds);
            }
        }
    }

    private static Fanout fanout(
            PipelineStack stack,
            Admin admin,
            Bookkeeping groups,
            KafkaProducer<String, byte[]> producer,
            String topic,
            int subscribers,
            int fullGcSeconds)
            throws Exception {
        List<String> names =
                stack.services().stream().map(PipelineStack.Service::name).toList();
        Map<String, Integer> marks = new LinkedHashMap<>();
        for (String name : names) {
            marks.put(name, GcLog.mark(name));
        }
        // The live data: a full collection of every service JVM every fullGcSeconds while the phase lasts, and one
        // at its end.
        var phaseOver = new AtomicBoolean();
        Thread probe = Thread.ofVirtual().start(() -> {
            try {
                while (fullGcSeconds > 0 && !phaseOver.get()) {
                    TimeUnit.SECONDS.sleep(fullGcSeconds);
                    collectFully(stack);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        long pushesBefore = endOffsets(admin, Topics.PUSH);
        long acceptedBefore = stack.emulators().fcm().acceptedCount();
        long began = System.nanoTime();
        producer.send(new ProducerRecord<>(Topics.EVENTS, event(topic))).get();
        long deadline = began + TimeUnit.MINUTES.toNanos(20);
        long planned = 0;
        long lastPrint = began;
        while (planned < subscribers) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "only " + planned + " of " + subscribers + " pushes planned for " + topic + " in 20 minutes");
            }
            TimeUnit.MILLISECONDS.sleep(50);
            planned = endOffsets(admin, Topics.PUSH) - pushesBefore;
            if (System.nanoTime() - lastPrint > TimeUnit.SECONDS.toNanos(10)) {
                lastPrint = System.nanoTime();
                System.out.printf("  %s: %d pushes planned after %.0f s%n", topic, planned, (lastPrint - began) / 1e9);
            }
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        // The rest of the phase: every push sent to the emulator, and the groups behind the pushes caught up.
        while (stack.emulators().fcm().acceptedCount() - acceptedBefore < subscribers) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "only " + (stack.emulators().fcm().acceptedCount() - acceptedBefore) + " of " + subscribers
                                + " pushes reached the FCM emulator for " + topic + " in 20 minutes");
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        double delivered = (System.nanoTime() - began) / 1e9;
        groups.awaitCaughtUp(Duration.ofMinutes(20));
        phaseOver.set(true);
        probe.interrupt();
        probe.join();
        if (fullGcSeconds > 0) {
            collectFully(stack);
        }
        Map<String, GcLog.Peak> heap = new LinkedHashMap<>();
        for (String name : names) {
            heap.put(name, GcLog.since(name, marks.get(name)));
        }
        System.out.printf(
                Locale.ROOT,
                "%s, %d subscribers: %d pushes planned in %.1f s (%.0f/s, %s excess), at the FCM emulator after %.1f"
                        + " s, caught up after %.1f s%n",
                topic,
                subscribers,
                planned,
                seconds,
                planned / seconds,
                planned - subscribers,
                delivered,
                (System.nanoTime() - began) / 1e9);
        heap.forEach((name, peak) -> System.out.println("  heap of " + name + ": " + peak.describe()));
        if (planned != subscribers) {
            throw new IllegalStateException(planned + " pushes planned for " + subscribers + " subscribers");
        }
        return new Fanout(planned, seconds, heap);
    }

    private static void collectFully(PipelineStack stack) throws IOException, InterruptedException {
        for (PipelineStack.Service service : stack.services()) {
            GcLog.collectFully(service.process());
        }
    }

    /**
     * The peer: {@code count} copies of the pipeline's push records (a sample read back from {@code herald.push.v1},
     * keys and values as they are) produced to {@code bench.raw-push.v1}, of as many partitions, acks=all; records a
     * second until the last is acknowledged.
     */
    private static double rawProduce(PipelineStack stack, Admin admin, long count) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> sample = new ArrayList<>();
        var c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-push-sample");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.PUSH));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (sample.size() < 1_000 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(sample::add);
            }
        }
        if (sample.isEmpty()) {
            throw new IllegalStateException("no push record to copy");
        }
        int partitions = admin.describeTopics(List.of(Topics.PUSH))
                .allTopicNames()
                .get()
                .get(Topics.PUSH)
                .partitions()
                .size();
        String topic = "bench.raw-push.v1";
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                .all()
                .get();
        var p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            // Every partition's leader known and writable before the clock starts: one record each, acknowledged.
            for (int partition = 0; partition < partitions; partition++) {
                ConsumerRecord<byte[], byte[]> r = sample.get(partition % sample.size());
                producer.send(new ProducerRecord<>(topic, partition, r.key(), r.value(), r.headers()))
                        .get(1, TimeUnit.MINUTES);
            }
            long began = System.nanoTime();
            for (long i = 0; i < count; i++) {
                ConsumerRecord<byte[], byte[]> r = sample.get((int) (i % sample.size()));
                producer.send(new ProducerRecord<>(topic, null, r.key(), r.value(), r.headers()));
            }
            producer.flush();
            return count / ((System.nanoTime() - began) / 1e9);
        }
    }

    private static void report(int small, int large, Fanout smaller, Fanout larger, double raw, int fullGcSeconds) {
        var results = new Results(
                Env.root().resolve("RESULTS.md"),
                Results.command(
                        BENCH,
                        List.of(
                                "BENCH_TOPIC_SUBSCRIBERS",
                                "BENCH_TOPIC_SMALL_SUBSCRIBERS",
                                "BENCH_TOPIC_WARMUP_SUBSCRIBERS",
                                "BENCH_TOPIC_FULL_GC_SECONDS")));
        results.row(
                BENCH,
                "deliveries-per-s",
                larger.rate(),
                "push deliveries planned onto herald.push.v1 a second (end offsets), one event to a topic of " + large
                        + " subscribers with one FCM device each, from its publish until all are there; "
                        + BenchPostgres.DURABLE
                        + (fullGcSeconds > 0
                                ? "; every service JVM made a full collection every " + fullGcSeconds + " s meanwhile"
                                : ""),
                "raw Kafka produce of the same push records, records/s",
                raw);
        String size100k = label(small);
        String size1m = label(large);
        String heapUnit = (fullGcSeconds > 0
                        ? "MB of heap in use after a full collection at most (live data; -Xlog:gc, a full collection"
                                + " asked every " + fullGcSeconds + " s and at the end)"
                        : "MB of heap in use after a collection at most (-Xlog:gc)")
                + ", from the event's publish until every push was sent and every group caught up, 512 MB heap,"
                + " parallel collector; topic of ";
        GcLog.Peak tokenSmall = smaller.heap().get("token-service");
        GcLog.Peak tokenLarge = larger.heap().get("token-service");
        results.row(
                BENCH,
                "peak-heap-mb-" + size100k,
                heapFigure(tokenSmall, fullGcSeconds),
                heapUnit + small + " subscribers, token-service",
                "-",
                0);
        results.row(
                BENCH,
                "peak-heap-mb-" + size1m,
                heapFigure(tokenLarge, fullGcSeconds),
                heapUnit + large + " subscribers, token-service",
                "peak-heap-mb-" + size100k,
                heapFigure(tokenSmall, fullGcSeconds));
        for (String service : larger.heap().keySet()) {
            if (service.equals("token-service") || larger.heap().get(service).collections() == 0) {
                continue; // no collection while the large topic was delivered: nothing to say (the gateway)
            }
            String figure = "peak-heap-mb-" + size1m + "-" + service.replace("-service", "");
            results.row(
                    BENCH,
                    figure,
                    heapFigure(larger.heap().get(service), fullGcSeconds),
                    heapUnit + large + " subscribers, " + service,
                    "peak-heap-mb-" + size100k + "-" + service.replace("-service", ""),
                    heapFigure(smaller.heap().get(service), fullGcSeconds));
        }
    }

    /** The live data when full collections were asked for, else the heap after any collection; NaN for none. */
    private static double heapFigure(GcLog.Peak peak, int fullGcSeconds) {
        return fullGcSeconds > 0 ? peak.peakLiveMb() : peak.afterAnyMb();
    }

    /** {@code 100k}, {@code 1m}: a topic's size in a figure's name. */
    static String label(int subscribers) {
        if (subscribers % 1_000_000 == 0) {
            return subscribers / 1_000_000 + "m";
        }
        return subscribers % 1_000 == 0 ? subscribers / 1_000 + "k" : Integer.toString(subscribers);
    }

    /** The sum of {@code topic}'s partitions' end offsets: the records ever written to it. */
    private static long endOffsets(Admin admin, String topic) throws Exception {
        var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        return admin.listOffsets(partitions).all().get().values().stream()
                .mapToLong(o -> o.offset())
                .sum();
    }

    static String user(int i) {
        return "user-" + i;
    }

    /** An event for every subscriber of {@code topic}, and no recipient listed. */
    private static byte[] event(String topic) {
        return ("{\"eventId\":\"" + Ids.newEventId() + "\",\"schemaVersion\":1,\"type\":\"product_like\","
                        + "\"source\":\"bench\",\"occurredAt\":\"" + Instant.now() + "\","
                        + "\"actor\":{\"id\":\"bench-actor\",\"displayName\":\"Bob\"},"
                        + "\"recipients\":[],\"topics\":[\"" + topic + "\"],"
                        + "\"object\":{\"id\":\"p-1\",\"kind\":\"product\",\"title\":\"Red bike\"},"
                        + "\"data\":{\"productId\":\"p-1\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
