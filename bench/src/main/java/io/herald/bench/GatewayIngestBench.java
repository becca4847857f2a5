package io.herald.bench;

import io.herald.events.Topics;
import io.herald.testkit.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Benchmark {@code gateway-ingest}: gateway-service in its own JVM, a real Kafka broker, and a load generator
 * in this JVM (JDK HTTP client, virtual threads): accepted events per second on {@code POST /v1/events} and
 * on the batch endpoint, with the p99 latency of single events. The peer, measured in the same run, is a
 * plain Kafka producer (acks=all) writing the same events to the same broker: the ceiling the broker sets.
 */
final class GatewayIngestBench {

    private static final String BENCHMARK = "gateway-ingest";
    private static final String COMMAND =
            "./mvnw -B -q install -DskipTests && ./mvnw -B -q -f bench/pom.xml compile exec:exec -Dbench=gateway-ingest";
    private static final String KEY = "hk_bench_" + UUID.randomUUID();

    private GatewayIngestBench() {}

    static void run(Path root) throws Exception {
        int seconds = Integer.parseInt(WsFanoutBench.setting("BENCH_SECONDS", "10"));
        int concurrency = Integer.parseInt(WsFanoutBench.setting("BENCH_CONCURRENCY", "64"));
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopics(Topics.EVENTS);
            double raw = rawKafka(kafka, seconds);
            System.out.printf("raw Kafka producer: %.0f events/s%n", raw);
            int port = WsFanoutBench.freePort();
            Process gateway = startGateway(kafka, port);
            try {
                String base = "http://127.0.0.1:" + port;
                WsFanoutBench.awaitUp(base + "/actuator/health", gateway);
                load(base, 2, concurrency, false); // warm-up
                Run single = load(base, seconds, concurrency, false);
                System.out.printf(
                        "single: %.0f events/s, p50 %.1f ms, p99 %.1f ms%n",
                        single.eventsPerSecond(), single.p50(), single.p99());
                Run batch = load(base, seconds, Math.max(2, concurrency / 8), true);
                System.out.printf("batch: %.0f events/s%n", batch.eventsPerSecond());
                var results = new Results(
                        root.resolve("RESULTS.md"),
                        COMMAND.replace(
                                "./mvnw -B -q -f",
                                "BENCH_CONCURRENCY=" + concurrency + " BENCH_SECONDS=" + seconds + " ./mvnw -B -q -f"));
                results.row(
                        BENCHMARK,
                        "events-per-s-single",
                        single.eventsPerSecond(),
                        "events/s",
                        "raw Kafka producer",
                        raw);
                results.row(
                        BENCHMARK,
                        "events-per-s-batch",
                        batch.eventsPerSecond(),
                        "events/s",
                        "raw Kafka producer",
                        raw);
                results.row(BENCHMARK, "p99-ms-single", single.p99(), "ms", "-", Double.NaN);
            } finally {
                gateway.destroy();
            }
        }
    }

    record Run(double eventsPerSecond, double p50, double p99) {}

    private static String event() {
        return "{\"type\":\"product_like\",\"actor\":{\"id\":\"bob\",\"displayName\":\"Bob\"},\"recipients\":[\"alice\"],"
                + "\"object\":{\"id\":\"p-1\",\"kind\":\"product\",\"title\":\"Red bike\"},\"data\":{\"productId\":\"p-1\"}}";
    }

    private static Run load(String base, int seconds, int concurrency, boolean batch) throws Exception {
        String body = batch ? batchBody(500) : event();
        int perRequest = batch ? 500 : 1;
        var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        var accepted = new AtomicLong();
        var latencies = new ConcurrentLinkedQueue<Long>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                var request = HttpRequest.newBuilder(URI.create(base + (batch ? "/v1/events/batch" : "/v1/events")))
                        .header("X-Api-Key", KEY)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build();
                while (System.nanoTime() < end) {
                    long sent = System.nanoTime();
                    try {
                        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() == 202 || (batch && response.statusCode() == 200)) {
                            accepted.addAndGet(perRequest);
                            latencies.add(System.nanoTime() - sent);
                        }
                    } catch (Exception e) {
                        // counted as not accepted
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Run(accepted.get() / elapsed, percentile(sorted, 50), percentile(sorted, 99));
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)] / 1e6;
    }

    private static String batchBody(int size) {
        var events = new ArrayList<String>();
        for (int i = 0; i < size; i++) {
            events.add(event());
        }
        return "{\"events\":[" + String.join(",", events) + "]}";
    }

    private static double rawKafka(KafkaBroker kafka, int seconds) throws Exception {
        var props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        var acked = new AtomicLong();
        byte[] value = event().getBytes(StandardCharsets.UTF_8);
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                String id = UUID.randomUUID().toString();
                producer.send(new ProducerRecord<>(Topics.EVENTS, id, value), (metadata, error) -> {
                    if (error == null) {
                        acked.incrementAndGet();
                    }
                });
            }
            producer.flush();
            return acked.get() / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static Process startGateway(KafkaBroker kafka, int port) throws Exception {
        String sha = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(KEY.getBytes(StandardCharsets.UTF_8)));
        var command = new ArrayList<>(Arrays.asList(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-cp",
                System.getProperty("java.class.path"),
                "io.herald.gateway.GatewayApplication",
                "--server.port=" + port,
                "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--herald.gateway.api-keys[0].name=bench",
                "--herald.gateway.api-keys[0].sha256=" + sha,
                "--herald.gateway.rate-limits.per-api-key-per-second=1000000",
                "--herald.gateway.rate-limits.per-api-key-burst=1000000",
                "--logging.level.root=WARN"));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(Path.of(System.getProperty("java.io.tmpdir"), "herald-bench-gateway.log")
                        .toFile())
                .start();
    }
}
