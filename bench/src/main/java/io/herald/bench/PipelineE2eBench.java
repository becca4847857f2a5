package io.herald.bench;

import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.Topics;
import io.herald.testkit.ConsumerLag;
import io.herald.testkit.KafkaBroker;
import io.herald.testkit.PostgresServer;
import io.herald.testkit.apns.ApnsEmulator;
import io.herald.testkit.expo.ExpoEmulator;
import io.herald.testkit.fcm.FcmEmulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.JsonNode;

/**
 * Benchmark {@code pipeline-e2e}: the whole of Herald on this machine. A real Kafka broker, PostgreSQL and the
 * FCM, Expo and APNs emulators run in this JVM; the four services each in their own JVM, configured as in
 * production. Recipients have one to three devices (FCM; FCM and Expo; FCM, Expo and APNs). Events go straight
 * onto {@code herald.events.v1}, as an upstream app would publish them, each carrying its publish time in its
 * data; the emulators record when each push arrives, so the latency is publish to provider.
 *
 * <p>First the pipeline is warmed, then loaded with a backlog (timed to the end of the work the deliveries leave
 * behind them, their statuses logged and notifications stored, not only to the last push). A backlog is drained in
 * large polls, cheaper a delivery than paced traffic, so its rate is an upper bound: the sustained rate is the
 * highest pace, from the backlog's rate down in tenths, that the pipeline keeps up with (95% of the pace delivered
 * or better, p99 under a second; that phase gives the full-rate latencies); then paced at 25% and 50% of it. In
 * the same run, raw Kafka on the same broker: as many records of the same size produced and consumed, the ceiling
 * the machine sets.
 */
final class PipelineE2eBench {

    private static final String BENCHMARK = "pipeline-e2e";
    private static final String COMMAND =
            "./mvnw -B -q install -DskipTests && ./mvnw -B -q -f bench/pom.xml compile exec:exec -Dbench=pipeline-e2e";
    private static final String SENT_AT = "benchSentAtMicros";
    private static final int DEVICES_PER_THREE_USERS = 1 + 2 + 3;

    private PipelineE2eBench() {}

    /** One service JVM. */
    record Service(String name, Process process, int port) {}

    /** Deliveries that reached the emulators, and their latencies in ms. */
    record Arrivals(long count, long[] latenciesMicros, Map<String, Double> medianMsByProvider, long[] routedMicros) {}

    private static long[] sorted(List<Long> micros) {
        return micros.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    static void run(Path root) throws Exception {
        int users = Integer.parseInt(WsFanoutBench.setting("BENCH_USERS", "3000"));
        int seconds = Integer.parseInt(WsFanoutBench.setting("BENCH_SECONDS", "20"));
        try (KafkaBroker kafka = KafkaBroker.start();
                // BENCH_PG_STATEMENTS=true: PostgreSQL counts its statements (pg_stat_statements), written out
                // at the end to $TMPDIR/herald-bench-postgres.txt with its per-table counts. Off by default.
                PostgresServer postgres = PostgresServer.start(
                        0, null, PG_STATEMENTS ? Map.of("shared_preload_libraries", "pg_stat_statements") : Map.of());
                FcmEmulator fcm = FcmEmulator.start();
                ExpoEmulator expo = ExpoEmulator.start();
                ApnsEmulator apns = ApnsEmulator.start()) {
            postgres.createDatabase("herald");
            PostgresServer.Database db = postgres.database("herald");
            List<Service> services = startServices(kafka, db, fcm, expo, apns);
            try {
                Service token = services.stream()
                        .filter(s -> s.name().equals("token-service"))
                        .findFirst()
                        .orElseThrow();
                registerDevices(token, users);
                var props = new Properties();
                props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
                props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
                try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
                        var bookkeeping = new Bookkeeping(kafka.bootstrapServers())) {
                    var emulators = new Emulators(fcm, expo, apns);
                    // Warm-up: backlogs of 10,000 events.
                    // Until the rate levels off and the JIT compilers of the five JVMs (the bench's holds the broker
                    // and the emulators) take under a tenth of a core.
                    List<Long> jvms =
                            new ArrayList<>(List.of(ProcessHandle.current().pid()));
                    services.forEach(s -> jvms.add(s.process().pid()));
                    int rounds = Integer.parseInt(WsFanoutBench.setting("BENCH_WARMUP_ROUNDS", "40"));
                    WarmUp.rounds(
                            "pipeline",
                            "deliveries/s",
                            2,
                            rounds,
                            () -> {
                                Backlog round = backlog(producer, emulators, bookkeeping, users, 10_000);
                                System.out.println("  " + round.describe());
                                return round.rate();
                            },
                            () -> JitCpu.nanos(jvms),
                            0.1);
                    int events = Integer.parseInt(WsFanoutBench.setting("BENCH_EVENTS", "40000"));
                    MachineCpu machineBefore = MachineCpu.now();
                    Map<String, Long> servicesBefore = cpuNanos(services);
                    long firstEvent = SEQUENCE.get();
                    Backlog backlog = backlog(producer, emulators, bookkeeping, users, events);
                    double max = backlog.rate();
                    MachineCpu machineAfter = MachineCpu.now();
                    Map<String, Long> servicesAfter = cpuNanos(services);
                    long maxDeliveries = deliveriesFor(users, SEQUENCE.get()) - deliveriesFor(users, firstEvent);
                    double maxSeconds = (machineAfter.nanos() - machineBefore.nanos()) / 1e9;
                    System.out.printf(
                            "maximum: %.0f deliveries/s (%d events as one backlog; %s); %s%n",
                            max,
                            events,
                            backlog.describe(),
                            machineAfter.describeSince(machineBefore, maxDeliveries, "delivery"));
                    Map<String, Double> coresAtMax =
                            cores(machineBefore, servicesBefore, machineAfter, servicesAfter, maxSeconds);
                    System.out.println("cores during the backlog: " + coresAtMax);
                    // The paced path warmed before it is measured: the probe reading herald.push.v1 is new code to the
                    // bench's JIT (cold, the bench's compiler threads took half a core during the first paced phase).
                    // After the maximum, which it would disturb in the same way. Not a figure. Paced traffic takes
                    // other paths (small polls, timers) and the five JVMs compile again, still 0.2-0.3 cores after a
                    // minute of it: so until they are quiet, as above, or BENCH_PACED_WARMUP_ROUNDS rounds.
                    WarmUp.rounds(
                            "paced",
                            "deliveries/s",
                            1,
                            Integer.parseInt(WsFanoutBench.setting("BENCH_PACED_WARMUP_ROUNDS", "20")),
                            () -> {
                                long began = System.nanoTime();
                                long count = paced(producer, emulators, users, max / 4, 10, kafka.bootstrapServers())
                                        .count();
                                return count / ((System.nanoTime() - began) / 1e9);
                            },
                            () -> JitCpu.nanos(jvms),
                            0.1);
                    long[] idle = oneAtATime(producer, emulators, users, 50);
                    System.out.printf(
                            "one event at a time: p50 %.1f ms, p99 %.1f ms%n",
                            percentile(idle, 50), percentile(idle, 99));
                    // The sustainable rate: a backlog is drained in large polls, and paced traffic (smaller polls,
                    // each paying for its statements and acknowledgements) costs more a delivery, so the backlog's
                    // rate is not one the pipeline keeps up with. Paced from it down in tenths until a phase keeps up:
                    // delivered at 95% of the pace or better (the drain after it included) with p99 under a second.
                    Phase full = null;
                    for (int tenths = 10; tenths >= 5; tenths--) {
                        full = phase(
                                tenths * 10 + "% of the backlog's rate",
                                max * tenths / 10.0,
                                producer,
                                emulators,
                                users,
                                seconds,
                                kafka.bootstrapServers(),
                                services);
                        bookkeeping.awaitCaughtUp();
                        if (full.keptUp()) {
                            break;
                        }
                    }
                    double sustained = full.achieved();
                    System.out.printf(
                            "sustained: %.0f deliveries/s (%.2f of the backlog's %.0f)%s%n",
                            sustained,
                            sustained / max,
                            max,
                            full.keptUp() ? "" : "; no phase down to half the backlog's rate kept up");
                    Map<String, Phase> paced = new LinkedHashMap<>();
                    for (int percent : new int[] {25, 50}) {
                        paced.put(
                                percent == 25 ? "quarter" : "half",
                                phase(
                                        percent + "% of the sustained rate",
                                        sustained * percent / 100.0,
                                        producer,
                                        emulators,
                                        users,
                                        seconds,
                                        kafka.bootstrapServers(),
                                        services));
                    }
                    paced.put("full", full);
                    Map<String, Double> usage = usage(services);
                    if (PG_STATEMENTS) {
                        postgresReport(db);
                    }
                    // As many records as the backlog made deliveries, each the size of an event.
                    long rawRecords = deliveriesFor(users, events);
                    double raw = rawKafka(kafka, rawRecords, recordSize(users));
                    System.out.printf("raw Kafka produce and consume: %.0f records/s%n", raw);

                    var results = new Results(root.resolve("RESULTS.md"), COMMAND);
                    results.row(BENCHMARK, "deliveries-per-s", sustained, "deliveries/s", "raw Kafka records/s", raw);
                    results.row(
                            BENCHMARK,
                            "backlog-deliveries-per-s",
                            max,
                            "deliveries/s draining a backlog (the work behind it included)",
                            "raw Kafka records/s",
                            raw);
                    paced.forEach((at, phase) -> {
                        String rate = String.format(Locale.ROOT, "ms at %.0f deliveries/s", phase.achieved());
                        long[] latencies = phase.arrivals().latenciesMicros();
                        results.row(
                                BENCHMARK,
                                "p99-ms-at-" + at + "-rate",
                                percentile(latencies, 99),
                                rate,
                                "-",
                                Double.NaN);
                        results.row(
                                BENCHMARK,
                                "p50-ms-at-" + at + "-rate",
                                percentile(latencies, 50),
                                rate,
                                "-",
                                Double.NaN);
                    });
                    results.row(
                            BENCHMARK,
                            "machine-cpu-us-per-delivery",
                            machineAfter.microsPerUnitSince(machineBefore, maxDeliveries),
                            "µs of the machine's CPU a delivery, at the maximum",
                            "-",
                            Double.NaN);
                    // On a shared host the hypervisor may take some of the two cores: a run with a large figure
                    // here measured less than the machine could give.
                    results.row(
                            BENCHMARK,
                            "machine-cpu-stolen-cores-at-max",
                            machineAfter.stolenCoresSince(machineBefore),
                            "cores taken by the hypervisor during the maximum",
                            "-",
                            Double.NaN);
                    usage.forEach((service, heapMb) ->
                            results.row(BENCHMARK, "heap-mb-" + service, heapMb, "MB heap in use", "-", Double.NaN));
                    coresAtMax.forEach((service, cores) -> results.row(
                            BENCHMARK,
                            "cpu-cores-at-max-" + service,
                            cores,
                            service.equals("rest")
                                    ? "cores at the maximum: broker, emulators, PostgreSQL, bench producer"
                                    : "cores at the maximum",
                            "-",
                            Double.NaN));
                }
            } finally {
                for (Service service : services.reversed()) {
                    service.process().destroy();
                }
                for (Service service : services) {
                    service.process().waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** A paced phase: the rate offered, the rate delivered (its drain included), and the deliveries' latencies. */
    record Phase(double offered, double achieved, Arrivals arrivals) {

        /**
         * Delivered at 95% of the pace or better, with p99 under a second: no queue that grows. (A phase far below
         * the limit delivers 97-98% of its pace: its rate counts the drain after the last publish, and the publisher
         * itself runs a little behind its pace on busy cores.)
         */
        boolean keptUp() {
            return achieved >= offered * 0.95 && percentile(arrivals.latenciesMicros(), 99) < 1_000;
        }
    }

    /** Publishes at {@code target} deliveries a second for {@code seconds}, waits for every push, and prints it. */
    private static Phase phase(
            String label,
            double target,
            KafkaProducer<String, byte[]> producer,
            Emulators emulators,
            int users,
            int seconds,
            String bootstrapServers,
            List<Service> services)
            throws Exception {
        long began = System.nanoTime();
        MachineCpu machineFrom = MachineCpu.now();
        Map<String, Long> servicesFrom = cpuNanos(services);
        Arrivals arrivals = paced(producer, emulators, users, target, seconds, bootstrapServers);
        MachineCpu machineTo = MachineCpu.now();
        var phase = new Phase(target, arrivals.count() / ((System.nanoTime() - began) / 1e9), arrivals);
        // What the same deliveries cost paced, against the backlog's figures.
        System.out.printf(
                "%s: %s; cores: %s%n",
                label,
                machineTo.describeSince(machineFrom, arrivals.count(), "delivery"),
                cores(
                        machineFrom,
                        servicesFrom,
                        machineTo,
                        cpuNanos(services),
                        (machineTo.nanos() - machineFrom.nanos()) / 1e9));
        System.out.printf(
                "%s (%.0f deliveries/s offered, %.0f delivered): p50 %.1f ms, p99 %.1f ms; p50 by provider %s;"
                        + " publish to token-service's push record p50 %.1f ms, p99 %.1f ms%s%n",
                label,
                target,
                phase.achieved(),
                percentile(arrivals.latenciesMicros(), 50),
                percentile(arrivals.latenciesMicros(), 99),
                arrivals.medianMsByProvider(),
                percentile(arrivals.routedMicros(), 50),
                percentile(arrivals.routedMicros(), 99),
                phase.keptUp() ? "" : "; not kept up");
        return phase;
    }

    /** The three emulators, counted and read together. */
    record Emulators(FcmEmulator fcm, ExpoEmulator expo, ApnsEmulator apns) {

        long count() {
            return fcm.receivedCount() + expo.receivedCount() + apns.receivedCount();
        }

        void clear() {
            fcm.clear();
            expo.clear();
            apns.clear();
        }

        /**
         * What each emulator received since the last {@link #clear()}, one arrival per push that carries its
         * event's publish time: each push's JSON read once.
         */
        List<Arrival> arrivals() {
            List<Arrival> arrivals = new ArrayList<>();
            fcm.received()
                    .forEach(r -> add(arrivals, "fcm", r.message().path("data").path(SENT_AT), r.receivedAt()));
            expo.received()
                    .forEach(r -> add(arrivals, "expo", r.message().path("data").path(SENT_AT), r.receivedAt()));
            apns.received()
                    .forEach(r -> add(
                            arrivals,
                            "apns",
                            HeraldJson.mapper().readTree(r.payload()).path(SENT_AT),
                            r.receivedAt()));
            return arrivals;
        }

        private static void add(List<Arrival> arrivals, String provider, JsonNode sentAt, Instant receivedAt) {
            if (sentAt.isString()) {
                arrivals.add(new Arrival(
                        provider,
                        Long.parseLong(sentAt.asString()),
                        receivedAt.getEpochSecond() * 1_000_000 + receivedAt.getNano() / 1_000));
            }
        }

        /** Every delivery's publish-to-arrival latency since the last {@link #clear()}, in µs, sorted. */
        long[] latenciesMicros() {
            return Arrival.latenciesMicros(arrivals());
        }
    }

    /** A push at its emulator: its provider, when its event was published and when it arrived, in µs. */
    record Arrival(String provider, long sentMicros, long receivedMicros) {

        long latencyMicros() {
            return receivedMicros - sentMicros;
        }

        /** Their publish-to-arrival latencies in µs, sorted. */
        static long[] latenciesMicros(List<Arrival> arrivals) {
            return arrivals.stream().mapToLong(Arrival::latencyMicros).sorted().toArray();
        }

        /** Publish-to-arrival latencies (µs) by provider, FCM, Expo and APNs each listed. */
        static Map<String, List<Long>> latenciesByProvider(List<Arrival> arrivals) {
            Map<String, List<Long>> latencies = new LinkedHashMap<>();
            for (String provider : List.of("fcm", "expo", "apns")) {
                latencies.put(provider, new ArrayList<>());
            }
            arrivals.forEach(a -> latencies.get(a.provider()).add(a.latencyMicros()));
            return latencies;
        }

        /**
         * How many deliveries took over {@code thresholdMicros}, by the UTC second they were published in: whether
         * a phase's slow tail is spread out (a queue) or bunched (stalls), and when, to set beside other logs.
         */
        static Map<java.time.LocalTime, Integer> slowBySecond(List<Arrival> arrivals, long thresholdMicros) {
            Map<java.time.LocalTime, Integer> slow = new java.util.TreeMap<>();
            for (Arrival a : arrivals) {
                if (a.latencyMicros() > thresholdMicros) {
                    slow.merge(
                            java.time.LocalTime.ofInstant(
                                    Instant.ofEpochSecond(a.sentMicros() / 1_000_000), java.time.ZoneOffset.UTC),
                            1,
                            Integer::sum);
                }
            }
            return slow;
        }
    }

    private static List<Service> startServices(
            KafkaBroker kafka, PostgresServer.Database db, FcmEmulator fcm, ExpoEmulator expo, ApnsEmulator apns)
            throws Exception {
        String secret = UUID.randomUUID().toString() + UUID.randomUUID();
        Map<String, String> shared = new LinkedHashMap<>();
        shared.put("spring.kafka.bootstrap-servers", kafka.bootstrapServers());
        shared.put("logging.level.root", "WARN");
        // The internal APIs' credential, which token- and ws-fanout-service require and the gateway sends.
        shared.put("herald.internal.secret", INTERNAL_SECRET);
        Map<String, String> database = new LinkedHashMap<>(shared);
        database.put("spring.datasource.url", db.jdbcUrl());
        database.put("spring.datasource.username", db.username());
        database.put("spring.datasource.password", db.password());

        List<Service> services = new ArrayList<>();
        Map<String, String> fanout = new LinkedHashMap<>(database);
        fanout.put("herald.fanout.jwt.hmac-secret", secret);
        // Its server.port is the internal inbox API (and the actuator); the WebSocket takes any free port.
        fanout.put("herald.fanout.ws.port", "0");
        Service fanoutService = start("ws-fanout-service", "io.herald.fanout.FanoutApplication", fanout);
        services.add(fanoutService);

        Service token = start("token-service", "io.herald.token.TokenApplication", database);
        services.add(token);

        Map<String, String> dispatch = new LinkedHashMap<>(database);
        dispatch.put("herald.dispatch.fcm.project-id", "herald-bench");
        dispatch.put("herald.dispatch.fcm.base-url", fcm.baseUrl());
        dispatch.put("herald.dispatch.fcm.access-token", "herald-emulator");
        dispatch.put("herald.dispatch.expo.base-url", expo.baseUrl());
        dispatch.putAll(apns.dispatchProperties());
        // The providers' own quotas are not what is measured here.
        dispatch.put("herald.dispatch.rate-limits.fcm", "1000000");
        dispatch.put("herald.dispatch.rate-limits.expo", "1000000");
        dispatch.put("herald.dispatch.rate-limits.apns", "1000000");
        services.add(start("dispatch-service", "io.herald.dispatch.DispatchApplication", dispatch));

        Map<String, String> gateway = new LinkedHashMap<>(shared);
        String key = "hk_bench_" + UUID.randomUUID();
        gateway.put("herald.gateway.api-keys[0].name", "bench");
        gateway.put("herald.gateway.api-keys[0].sha256", ServiceProcess.sha256Hex(key));
        gateway.put("herald.gateway.jwt.hmac-secret", secret);
        gateway.put("herald.gateway.token-service-url", "http://127.0.0.1:" + token.port());
        gateway.put("herald.gateway.ws-fanout-url", "http://127.0.0.1:" + fanoutService.port());
        // The actuator on the API's port, where the readiness and metrics checks below look for it.
        gateway.put("management.server.port", "${server.port}");
        services.add(start("gateway-service", "io.herald.gateway.GatewayApplication", gateway));
        for (Service service : services) {
            WsFanoutBench.awaitUp(
                    "http://127.0.0.1:" + service.port() + "/actuator/health/readiness", service.process());
        }
        return services;
    }

    private static Service start(String name, String mainClass, Map<String, String> properties) throws Exception {
        int port = WsFanoutBench.freePort();
        List<String> args = new ArrayList<>();
        args.add("--server.port=" + port);
        properties.forEach((key, value) -> args.add("--" + key + "=" + value));
        // Extra settings for every service, for experiments: BENCH_SERVICE_ARGS="--a=b --c=d".
        String extra = WsFanoutBench.setting("BENCH_SERVICE_ARGS", "").trim();
        if (!extra.isEmpty()) {
            args.addAll(Arrays.asList(extra.split("\\s+")));
        }
        // The JVM options its image runs it with (the collector), and any for experiments:
        // BENCH_SERVICE_JVM_OPTIONS="-XX:+UseSerialGC" (every service).
        List<String> jvmOptions = new ArrayList<>(ServiceProcess.imageJvmOptions(name));
        String options = WsFanoutBench.setting("BENCH_SERVICE_JVM_OPTIONS", "").trim();
        if (!options.isEmpty()) {
            jvmOptions.removeIf(o -> o.startsWith("-XX:+Use") && o.endsWith("GC") && options.contains("GC"));
            jvmOptions.addAll(Arrays.asList(options.split("\\s+")));
        }
        return new Service(name, ServiceProcess.start(name, mainClass, "512m", jvmOptions, args), port);
    }

    /** Users {@code user-0} ... with one, two or three devices in turn: FCM; FCM and Expo; FCM, Expo and APNs. */
    private static void registerDevices(Service token, int users) throws Exception {
        try (var http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (int user = 0; user < users; user++) {
                int devices = user % 3 + 1;
                for (int d = 0; d < devices; d++) {
                    String body = switch (d) {
                        case 0 -> device("fcm", "fcm-token-" + user, "android");
                        case 1 -> device("expo", "ExponentPushToken[bench-" + user + "]", "android");
                        default -> device("apns", String.format("%064x", user), "ios");
                    };
                    var response = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + token.port()
                                            + "/internal/v1/users/user-" + user + "/devices"))
                                    .header("Content-Type", "application/json")
                                    .header("X-Herald-Internal-Token", INTERNAL_SECRET)
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() / 100 != 2) {
                        throw new IllegalStateException("device not registered: " + response.body());
                    }
                }
            }
        }
    }

    private static String device(String provider, String token, String platform) {
        return "{\"provider\":\"" + provider + "\",\"token\":\"" + token + "\",\"platform\":\"" + platform
                + "\",\"appId\":\"dev.herald.app\",\"locale\":\"en\",\"timeZone\":\"UTC\"}";
    }

    private static long deliveriesFor(int users, long events) {
        // Event i goes to user i % users, who has i % users % 3 + 1 devices.
        long full = events / users;
        long deliveries = full * ((long) users / 3 * DEVICES_PER_THREE_USERS + tail(users % 3));
        long rest = events % users;
        deliveries += rest / 3 * DEVICES_PER_THREE_USERS + tail((int) (rest % 3));
        return deliveries;
    }

    private static int tail(int count) {
        return count == 0 ? 0 : count == 1 ? 1 : 3;
    }

    private static final AtomicLong SEQUENCE = new AtomicLong();

    /** The services' {@code herald.internal.secret}. */
    private static final String INTERNAL_SECRET = "bench-internal-" + UUID.randomUUID();

    /** An event as an upstream app in any language would write it, with its publish time in its data. */
    private static byte[] event(int users) {
        long i = SEQUENCE.getAndIncrement();
        return ("{\"eventId\":\"" + Ids.newEventId() + "\",\"schemaVersion\":1,\"type\":\"product_like\","
                        + "\"source\":\"bench\",\"occurredAt\":\"" + Instant.now() + "\","
                        + "\"actor\":{\"id\":\"bench-actor\",\"displayName\":\"Bob\"},"
                        + "\"recipients\":[\"user-" + (i % users) + "\"],"
                        + "\"object\":{\"id\":\"p-1\",\"kind\":\"product\",\"title\":\"Red bike\"},"
                        + "\"data\":{\"productId\":\"p-1\",\"" + SENT_AT + "\":\"" + WsFanoutBench.nowMicros()
                        + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static int recordSize(int users) {
        SEQUENCE.decrementAndGet(); // not an event of the run
        return event(users).length;
    }

    /**
     * A backlog's deliveries, when the last reached its emulator and when the work they leave behind them (statuses
     * logged, notifications stored) was done, both from the first publish; and by consumer group, how long after
     * the last push it had committed all (the slowest is what the figure waited for).
     */
    record Backlog(
            long deliveries,
            long arrivedNanos,
            long caughtUpNanos,
            Map<String, Double> groupsCaughtUpAfter,
            Map<String, Long> meanStageLag) {

        /** Deliveries a second, the work behind them included: the figure. */
        double rate() {
            return deliveries / (caughtUpNanos / 1e9);
        }

        /** Deliveries a second to the last push's arrival alone. */
        double pushRate() {
            return deliveries / (arrivedNanos / 1e9);
        }

        String describe() {
            StringBuilder groups = new StringBuilder();
            groupsCaughtUpAfter.forEach((group, seconds) -> groups.append(groups.isEmpty() ? "" : ", ")
                    .append(group)
                    .append(String.format(Locale.ROOT, " %.1f s", seconds)));
            return String.format(
                    Locale.ROOT,
                    "the last push arrived at %.0f/s and the statuses and inbox caught up %.1f s later (%s);"
                            + " records waiting on average until the last push %s",
                    pushRate(),
                    (caughtUpNanos - arrivedNanos) / 1e9,
                    groups,
                    meanStageLag);
        }
    }

    /** Publishes {@code events} at once and waits for every delivery and the work behind them. */
    private static Backlog backlog(
            KafkaProducer<String, byte[]> producer, Emulators emulators, Bookkeeping bookkeeping, int users, int events)
            throws InterruptedException {
        emulators.clear();
        long first = SEQUENCE.get();
        long expected = deliveriesFor(users, first + events) - deliveriesFor(users, first);
        long began = System.nanoTime();
        for (int i = 0; i < events; i++) {
            producer.send(new ProducerRecord<>(Topics.EVENTS, event(users)));
        }
        // Which stage holds the backlog: the routing and dispatching groups' lag, sampled meanwhile.
        Map<String, LongSummaryStatistics> lags =
                new TreeMap<>(Map.of("router", new LongSummaryStatistics(), "dispatcher", new LongSummaryStatistics()));
        var arrivedYet = new java.util.concurrent.atomic.AtomicBoolean();
        Thread sampler = Thread.ofVirtual().start(() -> {
            try {
                while (!arrivedYet.get()) {
                    lags.get("router").accept(bookkeeping.lagOf("herald-token-router", Topics.EVENTS));
                    lags.get("dispatcher").accept(bookkeeping.lagOf("herald-dispatcher", Topics.PUSH));
                    TimeUnit.MILLISECONDS.sleep(250);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        producer.flush();
        awaitDeliveries(emulators, expected);
        long arrived = System.nanoTime() - began;
        arrivedYet.set(true);
        sampler.join();
        Map<String, Long> meanLag = new TreeMap<>();
        lags.forEach((stage, samples) -> meanLag.put(stage, (long) samples.getAverage()));
        Map<String, Double> groups = new TreeMap<>();
        bookkeeping.awaitCaughtUp().forEach((group, at) -> groups.put(group, Math.max(0, at - began - arrived) / 1e9));
        return new Backlog(expected, arrived, System.nanoTime() - began, groups, meanLag);
    }

    /**
     * The work a delivery leaves off its path, which a backlog's rate must include to be one the pipeline can keep
     * up: dispatch-service's statuses (its group commits once they are published), token-service's delivery log of
     * them, ws-fanout's inbox. Caught up when these groups have committed to the end of their topics. ws-fanout
     * commits once a second (and within 1.5 s when idle), so the figure may count up to that much too many.
     */
    static final class Bookkeeping implements AutoCloseable {
        private static final Map<String, String> GROUPS = Map.of(
                "herald-dispatcher", Topics.PUSH,
                "herald-token-delivery-log", Topics.DELIVERY_STATUS,
                "herald-ws-fanout-service", Topics.INAPP);

        private final org.apache.kafka.clients.admin.Admin admin;

        Bookkeeping(String bootstrapServers) {
            this.admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                    org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        }

        /** Records of {@code topic} that {@code group} has not committed yet. */
        long lagOf(String group, String topic) {
            try {
                return ConsumerLag.of(admin, group, topic);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("could not read the lag of " + group, e);
            }
        }

        /** Records still to be committed, by group. */
        Map<String, Long> lag() {
            Map<String, Long> lag = new LinkedHashMap<>();
            GROUPS.forEach((group, topic) -> lag.put(group, lagOf(group, topic)));
            return lag;
        }

        /**
         * Waits until every group has committed to the end of its topic; returns, by group, when (System.nanoTime)
         * it was first seen caught up, so that the slowest of them shows.
         */
        Map<String, Long> awaitCaughtUp() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            Map<String, Long> caughtUp = new TreeMap<>();
            while (true) {
                long now = System.nanoTime();
                lag().forEach((group, behind) -> {
                    if (behind > 0) {
                        caughtUp.remove(group);
                    } else {
                        caughtUp.putIfAbsent(group, now);
                    }
                });
                if (caughtUp.size() == GROUPS.size()) {
                    return caughtUp;
                }
                if (now > deadline) {
                    throw new IllegalStateException("the statuses and inbox did not catch up within 5 minutes");
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }

        @Override
        public void close() {
            admin.close();
        }
    }

    /**
     * Publishes at {@code deliveriesPerSecond} (in events) for {@code seconds}, then waits for every delivery. Also
     * reads {@code herald.push.v1} meanwhile: a push record's timestamp (set by token-service's producer) less the
     * event's publish time is the first stage's share of the latency.
     */
    private static Arrivals paced(
            KafkaProducer<String, byte[]> producer,
            Emulators emulators,
            int users,
            double deliveriesPerSecond,
            int seconds,
            String bootstrapServers)
            throws InterruptedException {
        emulators.clear();
        double eventsPerSecond = deliveriesPerSecond * 3 / DEVICES_PER_THREE_USERS;
        long total = (long) (eventsPerSecond * seconds);
        long first = SEQUENCE.get();
        long expected = deliveriesFor(users, first + total) - deliveriesFor(users, first);
        try (var routed = new RoutedProbe(bootstrapServers)) {
            long began = System.nanoTime();
            for (long i = 0; i < total; i++) {
                long due = began + (long) (i * 1e9 / eventsPerSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                producer.send(new ProducerRecord<>(Topics.EVENTS, event(users)));
            }
            producer.flush();
            awaitDeliveries(emulators, expected);
            List<Arrival> arrived = emulators.arrivals();
            System.out.printf(
                    "  over 250 ms, by the second of publishing: %s%n", Arrival.slowBySecond(arrived, 250_000));
            Map<String, Double> medians = new LinkedHashMap<>();
            Arrival.latenciesByProvider(arrived)
                    .forEach((provider, micros) -> medians.put(provider, percentile(sorted(micros), 50)));
            return new Arrivals(expected, Arrival.latenciesMicros(arrived), medians, routed.latencies(expected));
        }
    }

    /** Reads {@code herald.push.v1} from its end on a thread of its own, noting each record's routing latency. */
    static final class RoutedProbe implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final List<Long> micros = java.util.Collections.synchronizedList(new ArrayList<>());
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
                            .path(SENT_AT);
                    if (sentAt.isString()) {
                        micros.add(record.timestamp() * 1_000 - Long.parseLong(sentAt.asString()));
                    }
                }
            }
        }

        /** The latencies, once {@code expected} records were read (or after half a minute, what there is). */
        long[] latencies(long expected) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (micros.size() < expected && System.nanoTime() < until) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            synchronized (micros) {
                return sorted(micros);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join();
            consumer.close();
        }
    }

    /** Publishes events one by one, each once the last one's deliveries all arrived; their latencies. */
    private static long[] oneAtATime(KafkaProducer<String, byte[]> producer, Emulators emulators, int users, int events)
            throws Exception {
        emulators.clear();
        long expected = 0;
        for (int i = 0; i < events; i++) {
            long first = SEQUENCE.get();
            expected += deliveriesFor(users, first + 1) - deliveriesFor(users, first);
            producer.send(new ProducerRecord<>(Topics.EVENTS, event(users))).get();
            awaitDeliveries(emulators, expected);
        }
        return emulators.latenciesMicros();
    }

    private static void awaitDeliveries(Emulators emulators, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (emulators.count() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "only " + emulators.count() + " of " + expected + " deliveries arrived in 5 minutes");
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private static double percentile(long[] sortedMicros, double p) {
        if (sortedMicros.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sortedMicros.length - 1, Math.ceil(p / 100 * sortedMicros.length) - 1);
        return sortedMicros[Math.max(0, index)] / 1e3;
    }

    private static final boolean PG_STATEMENTS =
            Boolean.parseBoolean(WsFanoutBench.setting("BENCH_PG_STATEMENTS", "false"));

    /** What PostgreSQL spent its time on, by statement and by table, into {@code $TMPDIR/herald-bench-postgres.txt}. */
    private static void postgresReport(PostgresServer.Database db) throws Exception {
        var report = new StringBuilder();
        try (var c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
                var s = c.createStatement()) {
            s.execute("create extension if not exists pg_stat_statements");
            report.append("total ms | calls | rows | statement\n");
            appendRows(
                    report,
                    s.executeQuery("select round(total_exec_time)::bigint, calls, rows,"
                            + " left(regexp_replace(query, '\\s+', ' ', 'g'), 160) from pg_stat_statements"
                            + " order by total_exec_time desc limit 25"));
            report.append("\ntable | inserted | updated | hot updated | index scans | live rows | dead rows\n");
            appendRows(
                    report,
                    s.executeQuery(
                            "select schemaname || '.' || relname, n_tup_ins, n_tup_upd, n_tup_hot_upd,"
                                    + " idx_scan, n_live_tup, n_dead_tup from pg_stat_user_tables order by n_tup_ins + n_tup_upd desc"));
        }
        java.nio.file.Files.writeString(
                Path.of(System.getProperty("java.io.tmpdir"), "herald-bench-postgres.txt"), report);
    }

    /** Each row of {@code rows} as a line, its columns separated by {@code |}; closes {@code rows}. */
    private static void appendRows(StringBuilder report, java.sql.ResultSet rows) throws java.sql.SQLException {
        try (rows) {
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                for (int i = 1; i <= columns; i++) {
                    report.append(i == 1 ? "" : " | ").append(rows.getString(i));
                }
                report.append('\n');
            }
        }
    }

    /** Per service: heap in use (MB, from its Prometheus endpoint). */
    private static Map<String, Double> usage(List<Service> services) throws IOException, InterruptedException {
        Map<String, Double> usage = new LinkedHashMap<>();
        for (Service service : services) {
            String metrics = WsFanoutBench.get("http://127.0.0.1:" + service.port() + "/actuator/prometheus");
            // Kept for a closer look (listener and provider timers, lag): where the time went.
            java.nio.file.Files.writeString(
                    Path.of(System.getProperty("java.io.tmpdir"), "herald-bench-" + service.name() + ".prom"), metrics);
            usage.put(service.name(), sum(metrics, "jvm_memory_used_bytes{", "area=\"heap\"") / 1e6);
        }
        return usage;
    }

    /** The sum of a Prometheus text's samples whose line starts with {@code metric} and contains {@code label}. */
    private static double sum(String metrics, String metric, String label) {
        return metrics.lines()
                .filter(l -> l.startsWith(metric) && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /**
     * Each service's share of the two cores between two readings; the rest is the broker, the emulators, PostgreSQL
     * and the bench's producer (and, paced, its probe).
     */
    private static Map<String, Double> cores(
            MachineCpu machineBefore,
            Map<String, Long> servicesBefore,
            MachineCpu machineAfter,
            Map<String, Long> servicesAfter,
            double seconds) {
        Map<String, Double> cores = new LinkedHashMap<>();
        servicesBefore.forEach(
                (service, before) -> cores.put(service, (servicesAfter.get(service) - before) / 1e9 / seconds));
        cores.put(
                "rest",
                machineAfter.busyCoresSince(machineBefore)
                        - cores.values().stream()
                                .mapToDouble(Double::doubleValue)
                                .sum());
        return cores;
    }

    /** Each service's CPU time so far, in ns. */
    private static Map<String, Long> cpuNanos(List<Service> services) {
        Map<String, Long> cpu = new LinkedHashMap<>();
        for (Service service : services) {
            cpu.put(
                    service.name(),
                    service.process()
                            .info()
                            .totalCpuDuration()
                            .orElse(Duration.ZERO)
                            .toNanos());
        }
        return cpu;
    }

    /** Produces {@code records} records of {@code size} bytes and consumes them, concurrently; records per second. */
    private static double rawKafka(KafkaBroker kafka, long records, int size) throws Exception {
        String topic = "bench.raw.v1";
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 3, (short) 1)))
                    .all()
                    .get();
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
        producer.partitionsFor(topic);
        var consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        while (consumer.assignment().isEmpty()) {
            consumer.poll(Duration.ofMillis(100));
        }
        long began = System.nanoTime();
        Thread producing = Thread.ofPlatform().start(() -> {
            try (producer) {
                for (long i = 0; i < records; i++) {
                    producer.send(new ProducerRecord<>(topic, value));
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
