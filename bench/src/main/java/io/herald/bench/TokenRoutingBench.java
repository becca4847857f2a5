package io.herald.bench;

import io.herald.devstack.HeraldService;
import io.herald.devstack.StackWiring;
import io.herald.events.Topics;
import io.herald.testkit.KafkaBroker;
import io.herald.testkit.PostgresServer;
import io.herald.token.TokenApplication;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Benchmark {@code token-routing}: token-service (in this JVM, with a real Kafka broker and PostgreSQL)
 * routing one-recipient {@code product_like} events, with 10,000 and then 1,000,000 registered devices (two
 * per user), and one event for 10,000 recipients. Routing cost must not grow with the device table.
 */
final class TokenRoutingBench {

    private static final String BENCHMARK = "token-routing";
    private static final String COMMAND =
            "./mvnw -B -q install -DskipTests && ./mvnw -B -q -f bench/pom.xml compile exec:exec -Dbench=token-routing";

    private TokenRoutingBench() {}

    static void run(Path root) throws Exception {
        int events = Integer.parseInt(Env.setting("BENCH_EVENTS", "20000"));
        try (KafkaBroker kafka = KafkaBroker.start();
                PostgresServer postgres = BenchPostgres.start(Map.of())) {
            postgres.createDatabase("bench");
            PostgresServer.Database db = postgres.database("bench");
            BenchPostgres.checkDurable(db, "at the start");
            StackWiring wiring = StackWiring.of(kafka.bootstrapServers(), db);
            ConfigurableApplicationContext token =
                    TokenApplication.application().run(WiredArgs.array(wiring, HeraldService.TOKEN, Map.of()));
            var props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            try (Connection sql = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
                    Admin admin = Admin.create(Map.<String, Object>of(
                            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
                    var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
                addDevices(sql, 0, 5_000);
                route(admin, producer, 500, 5_000); // warm-up: JIT, connections, topic metadata
                double small = route(admin, producer, events, 5_000);
                System.out.printf("10,000 devices: %.0f events/s%n", small);

                addDevices(sql, 5_000, 500_000);
                route(admin, producer, 500, 500_000);
                double large = route(admin, producer, events, 500_000);
                System.out.printf("1,000,000 devices: %.0f events/s%n", large);

                double fanOutMs = bigEvent(admin, producer, 10_000);
                System.out.printf("one event for 10,000 recipients: %.0f ms%n", fanOutMs);

                var results = new Results(root.resolve("RESULTS.md"), COMMAND);
                results.row(BENCHMARK, "events-per-s-10k-devices", small, "events/s", "-", Double.NaN);
                results.row(BENCHMARK, "events-per-s-1m-devices", large, "events/s", "events-per-s-10k-devices", small);
                results.row(
                        BENCHMARK,
                        "ms-10000-recipient-event",
                        fanOutMs,
                        "ms",
                        "10,000 one-recipient events",
                        10_000 / small * 1000);
            } finally {
                token.close();
            }
        }
    }

    /** Registers two FCM devices for each of users {@code from} to {@code to - 1}, straight into the table. */
    private static void addDevices(Connection sql, int from, int to) throws SQLException {
        long start = System.nanoTime();
        try (var statement = sql.createStatement()) {
            statement.execute("""
                    insert into token.devices (device_id, user_id, provider, token, platform, locale, active,
                        registered_at, last_seen_at)
                    select gen_random_uuid(), 'user-' || u, 'fcm', 'token-' || u || '-' || d, 'android', 'en-US', true,
                        now(), now()
                    from generate_series(%d, %d) as u, generate_series(1, 2) as d
                    """.formatted(from, to - 1));
            statement.execute("analyze token.devices");
        }
        System.out.printf(
                "devices for users %d..%d added in %.1f s%n", from, to - 1, (System.nanoTime() - start) / 1e9);
    }

    /** Publishes {@code count} one-recipient likes for random users below {@code users}; routed events per second. */
    private static double route(Admin admin, KafkaProducer<String, byte[]> producer, int count, int users)
            throws Exception {
        long before = routed(admin);
        var random = new SplittableRandom(count * 31L + users);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String id = UUID.randomUUID().toString();
            String event = """
                    {"eventId":"%s","schemaVersion":1,"type":"product_like","source":"bench","occurredAt":"2026-11-24T10:00:00Z",
                     "actor":{"id":"liker","displayName":"Lena"},"recipients":["user-%d"],
                     "object":{"id":"p-1","kind":"product","title":"Red bike"},"data":{"productId":"p-1"}}
                    """.formatted(id, random.nextInt(users));
            producer.send(new ProducerRecord<>(Topics.EVENTS, id, event.getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
        awaitRouted(admin, before + count);
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private static double bigEvent(Admin admin, KafkaProducer<String, byte[]> producer, int recipients)
            throws Exception {
        var list = new StringJoiner("\",\"", "[\"", "\"]");
        for (int i = 0; i < recipients; i++) {
            list.add("user-" + (i * 37 % 500_000));
        }
        long before = routed(admin);
        String id = UUID.randomUUID().toString();
        String event = """
                {"eventId":"%s","schemaVersion":1,"type":"recommended_product","source":"bench","occurredAt":"2026-11-24T10:00:00Z",
                 "recipients":%s,"object":{"id":"p-2","kind":"product","title":"Blue lamp"}}
                """.formatted(id, list);
        long start = System.nanoTime();
        producer.send(new ProducerRecord<>(Topics.EVENTS, id, event.getBytes(StandardCharsets.UTF_8)));
        producer.flush();
        awaitRouted(admin, before + 1);
        return (System.nanoTime() - start) / 1e6;
    }

    private static void awaitRouted(Admin admin, long target) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (routed(admin) < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("routing did not finish in 10 minutes");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /**
     * The events token-service's router has committed: it keeps no record of routed events (issue 26), and commits a
     * poll's offsets once every record it made of them is acknowledged by Kafka.
     */
    private static long routed(Admin admin) throws Exception {
        return admin
                .listConsumerGroupOffsets("herald-token-router")
                .partitionsToOffsetAndMetadata()
                .get()
                .entrySet()
                .stream()
                .filter(e -> e.getKey().topic().equals(Topics.EVENTS) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset())
                .sum();
    }
}
