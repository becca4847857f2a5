package io.herald.bench;

import io.herald.devstack.HeraldService;
import io.herald.devstack.StackWiring;
import io.herald.events.Topics;
import io.herald.testkit.KafkaBroker;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Benchmark {@code gateway-ingest}: gateway-service in its own JVM, a real Kafka broker, and wrk as the load
 * generator in a third process (the JDK HTTP client in this JVM where wrk is missing): accepted events per
 * second on {@code POST /v1/events} and on the batch endpoint, with the p99 latency of single events, once
 * the gateway is warm. The peer, measured in the same run, is a
 * plain Kafka producer (acks=all) writing the same events to the same broker: the ceiling the broker sets.
 */
final class GatewayIngestBench {

    private static final String BENCHMARK = "gateway-ingest";
    private static final String COMMAND =
            "./mvnw -B -q install -DskipTests && ./mvnw -B -q -f bench/pom.xml compile exec:exec -Dbench=gateway-ingest";
    private static final String KEY = "hk_bench_" + UUID.randomUUID();

    private GatewayIngestBench() {}

    static void run(Path root) throws Exception {
        int seconds = Integer.parseInt(Env.setting("BENCH_SECONDS", "10"));
        int concurrency = Integer.parseInt(Env.setting("BENCH_CONCURRENCY", "64"));
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopics(Topics.EVENTS);
            int port = LocalHttp.freePort();
            Process gateway = startGateway(kafka, port);
            try {
                String base = "http://127.0.0.1:" + port;
                LocalHttp.awaitUp(base + "/actuator/health", gateway);
                // 10-second rounds: a cold gateway runs at a tenth of its speed.
                WarmUp.rounds(
                        "single",
                        "events/s",
                        2,
                        12,
                        () -> load(base, 10, concurrency, false).eventsPerSecond());
                Run single = load(base, seconds, concurrency, false);
                System.out.printf(
                        "single: %.0f events/s, p50 %.1f ms, p99 %.1f ms%n",
                        single.eventsPerSecond(), single.p50(), single.p99());
                // Two batch requests in flight per core: each carries 500 events, more only contend.
                int batchConcurrency = Math.max(2, concurrency / 16);
                WarmUp.rounds(
                        "batch",
                        "events/s",
                        2,
                        12,
                        () -> load(base, 10, batchConcurrency, true).eventsPerSecond());
                Run batch = load(base, seconds, batchConcurrency, true);
                System.out.printf("batch: %.0f events/s%n", batch.eventsPerSecond());
                // The peer after Herald, on the same broker: a million records written first would leave
                // the broker busy flushing and compacting while the gateway is measured.
                double raw = rawKafka(kafka, seconds);
                System.out.printf("raw Kafka producer: %.0f events/s%n", raw);
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

    /**
     * The load: wrk (a C load generator, in its own process) when it is on the PATH, as the issue asks for a
     * second process; otherwise the JDK HTTP client on virtual threads in this JVM, which shares the CPU with
     * the broker and saturates long before the gateway does. {@code BENCH_LOADGEN=jdk} forces the latter.
     */
    private static Run load(String base, int seconds, int concurrency, boolean batch) throws Exception {
        if (!"jdk".equals(Env.setting("BENCH_LOADGEN", "wrk")) && onPath("wrk")) {
            return wrk(base, seconds, concurrency, batch);
        }
        return jdkClient(base, seconds, concurrency, batch);
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static Run wrk(String base, int seconds, int concurrency, boolean batch) throws Exception {
        String body = batch ? batchBody(500) : event();
        int perRequest = batch ? 500 : 1;
        Path script = Files.createTempFile("herald-wrk", ".lua");
        Files.writeString(script, """
                wrk.method = "POST"
                wrk.body = [==[%s]==]
                wrk.headers["Content-Type"] = "application/json"
                wrk.headers["X-Api-Key"] = "%s"
                done = function(summary, latency, requests)
                  io.write(string.format("HERALD %%d %%d %%d %%d %%d %%d\\n", summary.requests,
                    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
                      + summary.errors.timeout,
                    summary.duration, latency:percentile(50), latency:percentile(99), summary.errors.status))
                end
                """.formatted(body, KEY));
        Process wrk = new ProcessBuilder(
                        "wrk",
                        "-t2",
                        "-c" + concurrency,
                        "-d" + seconds + "s",
                        "--timeout",
                        "10s",
                        "-s",
                        script.toString(),
                        base + (batch ? "/v1/events/batch" : "/v1/events"))
                .redirectErrorStream(true)
                .start();
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        wrk.waitFor();
        Files.deleteIfExists(script);
        String line = output.lines()
                .filter(l -> l.startsWith("HERALD "))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("wrk said:\n" + output));
        String[] f = line.split(" ");
        long requests = Long.parseLong(f[1]);
        long failed = Long.parseLong(f[2]);
        double elapsed = Long.parseLong(f[3]) / 1e6;
        System.out.printf("wrk: %d requests, %d failed or non-2xx, in %.1f s%n", requests, failed, elapsed);
        return new Run(
                (requests - failed) * (double) perRequest / elapsed,
                Long.parseLong(f[4]) / 1e3,
                Long.parseLong(f[5]) / 1e3);
    }

    private static Run jdkClient(String base, int seconds, int concurrency, boolean batch) throws Exception {
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
        return ServiceProcess.start(
                "gateway",
                "io.herald.gateway.GatewayApplication",
                "1g",
                WiredArgs.of(
                        StackWiring.of(kafka.bootstrapServers(), null),
                        HeraldService.GATEWAY,
                        Map.of(
                                "server.port", Integer.toString(port),
                                "herald.gateway.api-keys[0].name", "bench",
                                "herald.gateway.api-keys[0].sha256", ServiceProcess.sha256Hex(KEY),
                                "herald.gateway.rate-limits.per-api-key-per-second", "1000000",
                                "herald.gateway.rate-limits.per-api-key-burst", "1000000",
                                // The actuator on the API's port, where the benchmark waits for its health.
                                "management.server.port", "${server.port}")));
    }
}
