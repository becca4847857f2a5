package io.herald.bench;

import com.google.firebase.FirebaseApp;
import com.google.firebase.messaging.FirebaseMessaging;
import com.google.firebase.messaging.MulticastMessage;
import com.google.firebase.messaging.Notification;
import io.herald.devstack.HeraldService;
import io.herald.devstack.StackWiring;
import io.herald.dispatch.DispatchApplication;
import io.herald.dispatch.fcm.FcmSender;
import io.herald.dispatch.fcm.FcmTransports;
import io.herald.dispatch.fcm.JettyFcmSender;
import io.herald.dispatch.fcm.SdkFcmSender;
import io.herald.events.HeraldJson;
import io.herald.events.Priority;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.events.Topics;
import io.herald.testkit.KafkaBroker;
import io.herald.testkit.PostgresServer;
import io.herald.testkit.fcm.FcmEmulator;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Benchmark {@code dispatch-fcm}: push deliveries from {@code herald.push.v1} to the FCM emulator through
 * dispatch-service (in this JVM, with a real Kafka broker and PostgreSQL), once for each FCM client ({@code
 * direct}: dispatch-service's own, Herald's HTTP/2 client; {@code direct-jetty}: the same requests over Jetty's
 * HTTP/2 client, {@link JettyFcmSender}; {@code sdk}: firebase-admin's {@code sendAsync}, {@link SdkFcmSender}; the
 * last two plugged into dispatch-service as its {@link FcmSender}), and in the same run, first, the naive loop a
 * user would otherwise write: a Kafka consumer calling firebase-admin's {@code sendEachForMulticast} synchronously
 * for each delivery.
 */
final class DispatchFcmBench {

    private static final String BENCHMARK = "dispatch-fcm";
    private static final String COMMAND =
            "./mvnw -B -q install -DskipTests && ./mvnw -B -q -f bench/pom.xml compile exec:exec -Dbench=dispatch-fcm";
    private static final String NAIVE_TOPIC = "bench.naive-push.v1";
    private static final String PROJECT = "herald-bench";
    private static final String ACCESS_TOKEN = "herald-emulator";

    private DispatchFcmBench() {}

    record Run(String client, double perSecond, long heapBytes, int threads) {}

    static void run(Path root) throws Exception {
        int deliveries = Integer.parseInt(Env.setting("BENCH_DELIVERIES", "300000"));
        int naiveDeliveries = Integer.parseInt(Env.setting("BENCH_NAIVE_DELIVERIES", "300000"));
        List<String> clients = List.of(
                Env.setting("BENCH_FCM_CLIENTS", "direct,direct-jetty,sdk").split(","));
        try (KafkaBroker kafka = KafkaBroker.start();
                PostgresServer postgres = BenchPostgres.start(Map.of());
                FcmEmulator fcm = FcmEmulator.start()) {
            // Millions of messages: counted and answered, not kept in the heap shared with what is measured.
            fcm.keepMessages(false);
            // The naive loop's topic, made now: a producer sending to a topic made a moment before can meet
            // partitions without a leader yet, and its idempotent sends then loop on out-of-order sequences.
            try (var admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(NAIVE_TOPIC, 3, (short) 1)))
                        .all()
                        .get();
            }
            postgres.createDatabase("bench");
            PostgresServer.Database db = postgres.database("bench");
            BenchPostgres.checkDurable(db, "at the start");
            var props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
            List<Run> runs = new ArrayList<>();
            try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
                // The naive loop first, on a quiet machine: after Herald's runs PostgreSQL is still vacuuming and
                // analysing the hundreds of thousands of delivery-log rows they wrote, on the same two cores.
                double naive = naiveDeliveries == 0 ? Double.NaN : naive(kafka, fcm, naiveDeliveries);
                System.out.printf("naive sendEachForMulticast loop: %.0f deliveries/s%n", naive);
                for (String client : clients) {
                    runs.add(herald(client.trim(), kafka, db, fcm, producer, deliveries));
                }

                var results = new Results(root.resolve("RESULTS.md"), COMMAND);
                Run best = runs.stream()
                        .max(Comparator.comparingDouble(Run::perSecond))
                        .orElseThrow();
                results.row(
                        BENCHMARK,
                        "deliveries-per-s",
                        best.perSecond(),
                        "deliveries/s (" + best.client() + " client)",
                        "naive sendEachForMulticast loop",
                        naive);
                for (Run run : runs) {
                    if (run != best) {
                        results.row(
                                BENCHMARK,
                                "deliveries-per-s-" + run.client(),
                                run.perSecond(),
                                "deliveries/s",
                                best.client() + " client",
                                best.perSecond());
                    }
                }
                for (Run run : runs) {
                    results.row(
                            BENCHMARK,
                            "heap-mb-" + run.client(),
                            run.heapBytes() / 1e6,
                            "MB live after GC, dispatch-service only",
                            "-",
                            Double.NaN);
                    results.row(BENCHMARK, "threads-" + run.client(), run.threads(), "threads", "-", Double.NaN);
                }
            }
        }
    }

    private static Run herald(
            String client,
            KafkaBroker kafka,
            PostgresServer.Database db,
            FcmEmulator fcm,
            KafkaProducer<String, byte[]> producer,
            int deliveries)
            throws Exception {
        long heapBefore = liveHeap();
        // dispatch-service's threads: those alive during its run that were not there before it started (a count
        // alone would subtract threads of earlier runs that end meanwhile)
        Set<Long> threadsBefore = Arrays.stream(
                        ManagementFactory.getThreadMXBean().getAllThreadIds())
                .boxed()
                .collect(Collectors.toSet());
        SpringApplication application = DispatchApplication.application();
        FcmSender plugged = sender(client, fcm);
        if (plugged != null) {
            application.addInitializers(
                    context -> context.getBeanFactory().registerSingleton("benchFcmSender", plugged));
        }
        StackWiring wiring = StackWiring.of(kafka.bootstrapServers(), db).withFcm(fcm.baseUrl(), PROJECT);
        ConfigurableApplicationContext dispatch = application.run(WiredArgs.array(
                wiring,
                HeraldService.DISPATCH,
                Map.of("herald.dispatch.rate-limits.fcm", "1000000", "herald.dispatch.consumers", "3")));
        try {
            MessageListenerContainer listener =
                    dispatch.getBean(KafkaListenerEndpointRegistry.class).getListenerContainer("dispatcher");
            // Warm-up (JIT, connections, pools) in rounds of 20,000, at least four.
            WarmUp.rounds(
                    client,
                    "deliveries/s",
                    4,
                    10,
                    () -> drain(listener, producer, fcm, 20_000, () -> {}).perSecond());
            int[] peakThreads = {0};
            Drained drained = drain(
                    listener,
                    producer,
                    fcm,
                    deliveries,
                    () -> peakThreads[0] = Math.max(peakThreads[0], (int)
                            Arrays.stream(ManagementFactory.getThreadMXBean().getAllThreadIds())
                                    .filter(id -> !threadsBefore.contains(id))
                                    .count()));
            double perSecond = drained.perSecond();
            System.out.println(drained.cpuAfter().describeSince(drained.cpuBefore(), deliveries, "delivery"));
            long heap = liveHeap() - heapBefore;
            System.out.printf(
                    "herald (%s client): %.0f deliveries/s, %d MB live heap, %d threads%n",
                    client, perSecond, heap / 1_000_000, peakThreads[0]);
            return new Run(client, perSecond, heap, peakThreads[0]);
        } finally {
            dispatch.close();
        }
    }

    /** The sender plugged into dispatch-service for {@code client}; {@code null} for its own ({@code direct}). */
    private static @Nullable FcmSender sender(String client, FcmEmulator fcm) {
        URI emulator = URI.create(fcm.baseUrl());
        return switch (client) {
            case "direct" -> null;
            case "direct-jetty" -> new JettyFcmSender(emulator, ACCESS_TOKEN, PROJECT, 4, Duration.ofSeconds(20));
            case "sdk" -> new SdkFcmSender(emulator, ACCESS_TOKEN, PROJECT);
            default ->
                throw new IllegalArgumentException("no FCM client " + client + "; known: direct, direct-jetty, sdk");
        };
    }

    /** How fast a topic was drained, and the machine's CPU time when the drain began and when it ended. */
    record Drained(double perSecond, MachineCpu cpuBefore, MachineCpu cpuAfter) {}

    /**
     * Puts {@code count} deliveries on the topic while dispatch-service's consumers are paused, then resumes them
     * and waits until the emulator has had all of them. What is measured is Herald draining the topic, as the
     * naive loop is measured, without the bench's own producer (serializing and sending those records) on the
     * same two cores.
     */
    private static Drained drain(
            MessageListenerContainer listener,
            KafkaProducer<String, byte[]> producer,
            FcmEmulator fcm,
            int count,
            Runnable whileWaiting)
            throws InterruptedException {
        listener.pause();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!listener.isContainerPaused()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("dispatch-service's consumers did not pause");
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
        long before = fcm.requestCount();
        publish(producer, Topics.PUSH, count);
        MachineCpu cpu = MachineCpu.now();
        long began = System.nanoTime();
        listener.resume();
        deadline = began + TimeUnit.MINUTES.toNanos(5);
        while (fcm.requestCount() < before + count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "only " + (fcm.requestCount() - before) + " of " + count + " FCM requests");
            }
            whileWaiting.run();
            TimeUnit.MILLISECONDS.sleep(5);
        }
        long ended = System.nanoTime();
        return new Drained(count / ((ended - began) / 1e9), cpu, MachineCpu.now());
    }

    /** A consumer loop sending each delivery with {@code sendEachForMulticast}, synchronously. */
    private static double naive(KafkaBroker kafka, FcmEmulator fcm, int deliveries) throws Exception {
        var p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            publish(producer, NAIVE_TOPIC, deliveries);
        }
        var app = FirebaseApp.initializeApp(
                FcmTransports.emulated(URI.create(fcm.baseUrl()), ACCESS_TOKEN, PROJECT), "naive-" + UUID.randomUUID());
        var c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "naive");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        try (var consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(NAIVE_TOPIC));
            // Joined before the clock runs (on a new broker the group coordinator itself is still starting).
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (consumer.assignment().isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the naive loop's consumer got no partitions in a minute");
                }
                consumer.poll(Duration.ofMillis(100));
            }
            consumer.seekToBeginning(consumer.assignment());
            FirebaseMessaging messaging = FirebaseMessaging.getInstance(app);
            // Warmed up like Herald: 5-second rounds, at least four, then 10 seconds measured.
            WarmUp.rounds("naive", "deliveries/s", 4, 12, () -> naiveSend(consumer, messaging, 5));
            return naiveSend(consumer, messaging, 10);
        } finally {
            app.delete();
        }
    }

    /** Sends deliveries one by one for about {@code seconds}; how many per second. */
    private static double naiveSend(KafkaConsumer<String, byte[]> consumer, FirebaseMessaging messaging, int seconds)
            throws Exception {
        long began = System.nanoTime();
        long end = began + TimeUnit.SECONDS.toNanos(seconds);
        int sent = 0;
        while (System.nanoTime() < end) {
            var records = consumer.poll(Duration.ofMillis(200));
            if (records.isEmpty()) {
                throw new IllegalStateException("the naive loop ran out of deliveries: raise BENCH_NAIVE_DELIVERIES");
            }
            for (var record : records) {
                PushDelivery delivery = HeraldJson.mapper().readValue(record.value(), PushDelivery.class);
                messaging.sendEachForMulticast(MulticastMessage.builder()
                        .addToken(delivery.token())
                        .setNotification(Notification.builder()
                                .setTitle(delivery.title())
                                .setBody(delivery.body())
                                .build())
                        .putAllData(delivery.data())
                        .build());
                sent++;
            }
        }
        return sent / ((System.nanoTime() - began) / 1e9);
    }

    private static void publish(KafkaProducer<String, byte[]> producer, String topic, int count) {
        Instant now = Instant.now();
        for (int i = 0; i < count; i++) {
            String user = "user-" + (i % 10_000);
            var delivery = new PushDelivery(
                    UUID.randomUUID(),
                    UUID.randomUUID(),
                    UUID.randomUUID(),
                    1,
                    now,
                    user,
                    "product_like",
                    Provider.FCM,
                    "token-" + user + "-" + i,
                    null,
                    "Your product was liked",
                    "Bob liked your product \"Red bike\"",
                    Map.of("productId", "p-1"),
                    Priority.HIGH,
                    3600,
                    "likes",
                    "social",
                    "default");
            producer.send(new ProducerRecord<>(topic, user, HeraldJson.mapper().writeValueAsBytes(delivery)));
        }
        producer.flush();
    }

    private static long liveHeap() {
        var memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
