package io.herald.bench;

import io.herald.dispatch.fcm.http2.Http2Client;
import io.herald.events.HeraldJson;
import io.herald.testkit.PostgresServer;
import io.herald.testkit.fcm.FcmEmulator;
import io.netty.util.AsciiString;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import tools.jackson.databind.JsonNode;

/**
 * {@code pipeline-e2e}'s floor (issue #26): what the records, rows and provider requests of a delivery cost at least
 * on this machine, each measured in the same run by a bare loop doing nothing else, as the machine's CPU time
 * ({@link MachineCpu}: every process, from {@code /proc/stat}) per unit. Measured after the pipeline's phases with
 * the services stopped, on the broker, the database and the FCM emulator the pipeline used; each loop runs a warm-up
 * of a third of its time first, not counted.
 *
 * <ul>
 *   <li><b>Kafka</b>, µs a record: records produced ({@code acks=all}, {@code linger.ms=2}, as the raw-Kafka peer)
 *       and consumed at once on a topic of three partitions, {@code bench.floor.v1}; the records are copies (key,
 *       value, headers) of the pipeline's own, taken from the end of each {@code herald.*} topic in the proportion
 *       the sustained phase wrote them.
 *   <li><b>PostgreSQL</b>, µs a row: rows written to the services' own tables (after their migrations, so with their
 *       indexes and partitions) that a delivery writes in issue #26's design, dispatch's {@code dispatch.deliveries}
 *       and the inbox's {@code inbox.notifications}, a batch of each in turn: copies of rows the pipeline wrote, with
 *       fresh ids in their {@code uuid} columns, a batch as one multi-row insert (the statement the services' JDBC
 *       batches become, {@code reWriteBatchedInserts} or {@code unnest}) committed on its own, with production
 *       durability. A table's batch is as many rows as the services' insert statements wrote into it on average at
 *       the sustained rate ({@link PipelineWork.Work#rowsPerInsert}).
 *   <li><b>FCM</b>, µs a request: Herald's own HTTP/2 client (dispatch-service's {@link Http2Client}, over as many
 *       connections as dispatch-service opens by default) sending one of the pipeline's FCM messages again and
 *       again to the same emulator, at most {@value #FCM_IN_FLIGHT} requests in flight; the emulator keeps what it
 *       receives, as in the pipeline, and is cleared every second.
 * </ul>
 *
 * <p>What the machine spends besides a loop (the idle broker, the idle database, the bench's idle clients, anything
 * else on the host) is counted in it too, as it is in the pipeline's figure.
 */
final class PipelineFloor {

    /** The three figures, each in µs of the machine's CPU a unit. */
    record Floor(double kafkaMicrosPerRecord, double pgMicrosPerRow, double fcmMicrosPerRequest) {

        /** What {@code work}'s records, rows and FCM requests a delivery cost at least, in µs a delivery. */
        double microsPerDelivery(PipelineWork.Work work) {
            return kafkaMicrosPerRecord * work.recordsPerDelivery()
                    + pgMicrosPerRow * work.rowsPerDelivery()
                    + fcmMicrosPerRequest * work.fcmRequestsPerDelivery();
        }
    }

    private static final String TOPIC = "bench.floor.v1";
    private static final int KAFKA_ROUND = 20_000;
    private static final int SAMPLES = 200;
    private static final int FCM_IN_FLIGHT = 256;
    private static final int FCM_CONNECTIONS = 4;
    private static final String FCM_PROJECT = "herald-bench";
    private static final int MAX_BATCH = 1_000;
    private static final int MAX_PARAMETERS = 32_767;

    private PipelineFloor() {}

    /**
     * Measures the three, {@code seconds} each after a warm-up; {@code work} is the sustained phase's (the records
     * to copy, the batch sizes), printed as it goes.
     */
    static Floor measure(PipelineStack stack, PipelineWork.Work work, int seconds) throws Exception {
        Duration length = Duration.ofSeconds(seconds);
        double kafka = kafkaMicrosPerRecord(stack.bootstrapServers(), work.recordsByTopic(), length);
        double pg = pgMicrosPerRow(stack.db(), work, length);
        double fcm = fcmMicrosPerRequest(stack.emulators().fcm(), length);
        var floor = new Floor(kafka, pg, fcm);
        System.out.printf(
                Locale.ROOT,
                "floor: %.1f µs a Kafka record × %.2f records + %.1f µs a PostgreSQL row × %.2f rows + %.1f µs an FCM"
                        + " request × %.2f requests = %.1f µs a delivery%n",
                kafka,
                work.recordsPerDelivery(),
                pg,
                work.rowsPerDelivery(),
                fcm,
                work.fcmRequestsPerDelivery(),
                floor.microsPerDelivery(work));
        return floor;
    }

    // Kafka

    private static double kafkaMicrosPerRecord(
            String bootstrapServers, Map<String, Long> recordsByTopic, Duration length) throws Exception {
        List<ProducerRecord<byte[], byte[]>> samples = sampleRecords(bootstrapServers, recordsByTopic);
        try (var admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get();
        }
        var p = new LinkedHashMap<String, Object>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        var c = new LinkedHashMap<String, Object>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-floor");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
                var consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            producer.partitionsFor(TOPIC);
            consumer.subscribe(List.of(TOPIC));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(100));
            }
            long bytes = samples.stream().mapToLong(r -> r.value().length).sum();
            Measured measured = timed(length, () -> kafkaRound(producer, consumer, samples));
            System.out.printf(
                    Locale.ROOT,
                    "floor, Kafka: %d records (copies of %d of the pipeline's, %.0f bytes of value on average)"
                            + " produced and consumed, %s%n",
                    measured.units(),
                    samples.size(),
                    (double) bytes / samples.size(),
                    measured.describe("record"));
            return measured.microsPerUnit();
        }
    }

    /** Produces {@link #KAFKA_ROUND} records (copies of {@code samples}) while consuming as many; the count. */
    private static long kafkaRound(
            KafkaProducer<byte[], byte[]> producer,
            KafkaConsumer<byte[], byte[]> consumer,
            List<ProducerRecord<byte[], byte[]>> samples)
            throws InterruptedException {
        Thread producing = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < KAFKA_ROUND; i++) {
                ProducerRecord<byte[], byte[]> sample = samples.get(i % samples.size());
                producer.send(new ProducerRecord<>(TOPIC, null, sample.key(), sample.value(), sample.headers()));
            }
            producer.flush();
        });
        long consumed = 0;
        while (consumed < KAFKA_ROUND) {
            consumed += consumer.poll(Duration.ofMillis(200)).count();
        }
        producing.join();
        return KAFKA_ROUND;
    }

    /**
     * Up to {@link #SAMPLES} records copied from the ends of the topics in {@code recordsByTopic}, each topic's share
     * its share of the records (at least one), shuffled.
     */
    private static List<ProducerRecord<byte[], byte[]>> sampleRecords(
            String bootstrapServers, Map<String, Long> recordsByTopic) {
        long total = recordsByTopic.values().stream().mapToLong(Long::longValue).sum();
        var c = new HashMap<String, Object>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ProducerRecord<byte[], byte[]>> samples = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            recordsByTopic.forEach((topic, count) -> {
                if (count <= 0) {
                    return;
                }
                int wanted = (int) Math.max(1, Math.round((double) SAMPLES * count / total));
                List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                        .map(info -> new TopicPartition(topic, info.partition()))
                        .toList();
                consumer.assign(partitions);
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions);
                long perPartition = (long) wanted / partitions.size() + 1;
                ends.forEach((partition, end) ->
                        consumer.seek(partition, Math.max(begins.get(partition), end - perPartition)));
                List<ProducerRecord<byte[], byte[]>> found = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (found.size() < wanted && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        found.add(new ProducerRecord<>(
                                topic,
                                null,
                                r.key(),
                                r.value(),
                                List.<Header>of(r.headers().toArray())));
                    }
                }
                if (found.isEmpty()) {
                    throw new IllegalStateException("no record of " + topic + " to copy for the floor");
                }
                for (int i = 0; i < wanted; i++) {
                    samples.add(found.get(i % found.size()));
                }
            });
        }
        if (samples.isEmpty()) {
            throw new IllegalStateException("no herald.* record to copy for the floor: " + recordsByTopic);
        }
        Collections.shuffle(samples, new Random(26));
        return samples;
    }

    // PostgreSQL

    /** A table's rows to copy, its columns and which of them are {@code uuid}, and the batch it is written in. */
    private record Table(String name, List<String> columns, List<Boolean> uuid, List<Object[]> rows, int batch) {

        String insert() {
            String row = "(" + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
            return "insert into " + name + " (" + String.join(", ", columns) + ") values "
                    + String.join(", ", Collections.nCopies(batch, row));
        }
    }

    private static double pgMicrosPerRow(PostgresServer.Database db, PipelineWork.Work work, Duration length)
            throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
            BenchPostgres.checkDurable(db, "before the floor's rows");
            List<Table> tables = new ArrayList<>();
            for (String name : PipelineWork.DELIVERY_TABLES) {
                double measured = work.rowsPerInsert(name);
                int batch = Double.isNaN(measured) ? 1 : (int) Math.min(MAX_BATCH, Math.max(1, Math.round(measured)));
                tables.add(table(c, name, batch));
            }
            c.setAutoCommit(false);
            List<PreparedStatement> inserts = new ArrayList<>();
            try {
                for (Table table : tables) {
                    inserts.add(c.prepareStatement(table.insert()));
                }
                Measured measured = timed(length, () -> {
                    long rows = 0;
                    for (int t = 0; t < tables.size(); t++) {
                        rows += writeBatch(c, inserts.get(t), tables.get(t));
                    }
                    return rows;
                });
                StringBuilder batches = new StringBuilder();
                tables.forEach(t -> batches.append(batches.isEmpty() ? "" : ", ")
                        .append(t.name())
                        .append(' ')
                        .append(t.batch()));
                System.out.printf(
                        Locale.ROOT,
                        "floor, PostgreSQL: %d rows in batches of (rows an insert statement of the services wrote"
                                + " at the sustained rate) %s, each committed (%s), %s%n",
                        measured.units(),
                        batches,
                        BenchPostgres.DURABLE,
                        measured.describe("row"));
                return measured.microsPerUnit();
            } finally {
                for (PreparedStatement insert : inserts) {
                    insert.close();
                }
            }
        }
    }

    /** {@code name}'s columns and up to {@link #SAMPLES} of its rows, to be copied {@code batch} at a time. */
    private static Table table(Connection c, String name, int batch) throws SQLException {
        try (var s = c.createStatement();
                var rows = s.executeQuery("select * from " + name + " limit " + SAMPLES)) {
            var meta = rows.getMetaData();
            List<String> columns = new ArrayList<>();
            List<Boolean> uuid = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnName(i));
                uuid.add("uuid".equals(meta.getColumnTypeName(i)));
            }
            List<Object[]> copies = new ArrayList<>();
            while (rows.next()) {
                Object[] row = new Object[columns.size()];
                for (int i = 0; i < row.length; i++) {
                    row[i] = rows.getObject(i + 1);
                }
                copies.add(row);
            }
            if (copies.isEmpty()) {
                throw new IllegalStateException(name + " has no row to copy for the floor");
            }
            // A statement takes at most 32,767 parameters (the wire protocol's 16-bit count).
            return new Table(name, columns, uuid, copies, Math.min(batch, MAX_PARAMETERS / columns.size()));
        }
    }

    /** One batch of {@code table}'s copies, with fresh ids, inserted in one statement and committed; its rows. */
    private static long writeBatch(Connection c, PreparedStatement insert, Table table) throws SQLException {
        int parameter = 1;
        for (int r = 0; r < table.batch(); r++) {
            Object[] row = table.rows()
                    .get(ThreadLocalRandom.current().nextInt(table.rows().size()));
            for (int i = 0; i < row.length; i++) {
                Object value = table.uuid().get(i) && row[i] != null ? UUID.randomUUID() : row[i];
                insert.setObject(parameter++, value);
            }
        }
        int written = insert.executeUpdate();
        c.commit();
        return written;
    }

    // FCM

    private static double fcmMicrosPerRequest(FcmEmulator fcm, Duration length) throws Exception {
        List<FcmEmulator.Received> received = fcm.received();
        if (received.isEmpty()) {
            throw new IllegalStateException("the FCM emulator kept no message of the pipeline's to send again");
        }
        JsonNode message = received.getLast().message();
        byte[] body = ("{\"message\":" + HeraldJson.mapper().writeValueAsString(message) + "}")
                .getBytes(StandardCharsets.UTF_8);
        fcm.clear();
        var failed = new AtomicLong();
        var path = AsciiString.cached("/v1/projects/" + FCM_PROJECT + "/messages:send");
        try (var client = new Http2Client(
                URI.create(fcm.baseUrl()),
                FCM_CONNECTIONS,
                Duration.ofSeconds(20),
                Map.of(AsciiString.cached("x-goog-api-format-version"), AsciiString.cached("2")),
                null)) {
            var inFlight = new Semaphore(FCM_IN_FLIGHT);
            Measured measured = timed(length, () -> {
                long sent = 0;
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                while (System.nanoTime() < until) {
                    inFlight.acquire();
                    client.postJson(path, "Bearer bench-floor", body).whenComplete((response, failure) -> {
                        if (failure != null || response.status() != 200) {
                            failed.incrementAndGet();
                        }
                        inFlight.release();
                    });
                    sent++;
                }
                inFlight.acquire(FCM_IN_FLIGHT);
                inFlight.release(FCM_IN_FLIGHT);
                fcm.clear();
                return sent;
            });
            if (failed.get() > 0) {
                throw new IllegalStateException(failed.get() + " of the floor's FCM requests failed");
            }
            System.out.printf(
                    Locale.ROOT,
                    "floor, FCM emulator: %d requests of %d bytes (one of the pipeline's messages) over %d"
                            + " connections, %d in flight at most, %s%n",
                    measured.units(),
                    body.length,
                    FCM_CONNECTIONS,
                    FCM_IN_FLIGHT,
                    measured.describe("request"));
            return measured.microsPerUnit();
        }
    }

    // Timing

    /** Units of work done by one call of a round. */
    @FunctionalInterface
    private interface Round {
        long run() throws Exception;
    }

    /** Units done in the measured rounds and the machine's CPU over them. */
    private record Measured(long units, MachineCpu before, MachineCpu after) {

        double microsPerUnit() {
            return after.microsPerUnitSince(before, units);
        }

        String describe(String unit) {
            return String.format(
                    Locale.ROOT,
                    "%.0f a second; %s",
                    units / ((after.nanos() - before.nanos()) / 1e9),
                    after.describeSince(before, units, unit));
        }
    }

    /** Runs rounds for a third of {@code length} (warm-up, not counted), then for {@code length}, measured. */
    private static Measured timed(Duration length, Round round) throws Exception {
        long warmUntil = System.nanoTime() + length.toNanos() / 3;
        while (System.nanoTime() < warmUntil) {
            round.run();
        }
        MachineCpu before = MachineCpu.now();
        long until = before.nanos() + length.toNanos();
        long units = 0;
        while (System.nanoTime() < until) {
            units += round.run();
        }
        return new Measured(units, before, MachineCpu.now());
    }
}
