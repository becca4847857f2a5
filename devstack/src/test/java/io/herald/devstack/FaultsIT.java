package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.Ids;
import io.herald.events.Topics;
import io.herald.testkit.KafkaProcess;
import io.herald.testkit.PostgresServer;
import io.herald.testkit.fcm.FcmEmulator;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;

/**
 * Faults under a steady stream of events published straight onto {@code herald.events.v1}: two instances each of
 * token-service and dispatch-service share the work, as in production. Whatever is stopped or restarted mid-stream,
 * every expected push reaches the FCM emulator, none is lost, and duplicates are counted (target: none). Kafka is
 * a broker process of its own here, so that it can be restarted on its data.
 *
 * <p>Its tests run one after another, but beside the module's other test classes (see devstack's pom): most of its
 * time is spent waiting for a long PostgreSQL outage to end.
 */
@Execution(ExecutionMode.CONCURRENT)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class FaultsIT {

    private static final int USERS = 40;
    private static final String INTERNAL_SECRET = "an-internal-secret-of-at-least-32-bytes-for-tests";
    private static final String JWT_SECRET = "faults-jwt-secret-of-at-least-32-bytes!";
    private static final Duration STREAM = Duration.ofSeconds(16);
    private static final Duration EVENT_EVERY = Duration.ofMillis(25);
    private static final int MIN_EVENTS = 200;
    private static final Duration LONG_OUTAGE = Duration.parse(System.getProperty("herald.faults.long-outage", "PT5M"));

    /**
     * What every instance gets over the dev stack's properties (which keep every port on loopback: ServiceBoundariesIT,
     * which may run beside this class, checks the JVM's listening sockets): another instance takes over a stopped one's
     * partitions soon, not after the default 45 s; and warnings only.
     */
    private static final Map<String, String> SETTINGS = Map.of(
            "spring.kafka.consumer.properties.session.timeout.ms", "6000",
            "spring.kafka.consumer.properties.heartbeat.interval.ms", "1000",
            "logging.level.root", "WARN");

    @TempDir
    Path postgresData;

    private KafkaProcess kafka;
    private int postgresPort;
    private PostgresServer postgres;
    private FcmEmulator fcm;
    private LocalServices services;

    @BeforeEach
    void start() throws Exception {
        kafka = KafkaProcess.start();
        try (var socket = new ServerSocket(0)) {
            postgresPort = socket.getLocalPort();
        }
        postgres = PostgresServer.start(postgresPort, postgresData);
        postgres.createDatabase("herald");
        fcm = FcmEmulator.start();
        services = new LocalServices(StackWiring.of(kafka.bootstrapServers(), postgres.database("herald"))
                .withSecrets(INTERNAL_SECRET, JWT_SECRET)
                .withFcm(fcm.baseUrl(), "herald-faults")
                .withExpo(null));
        startToken("token-a");
        startToken("token-b");
        startDispatch("dispatch-a");
        startDispatch("dispatch-b");
        registerDevices();
    }

    @AfterEach
    void stop() {
        if (services != null) {
            services.close();
        }
        if (fcm != null) {
            fcm.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aTokenServiceAndADispatchServiceInstanceStoppedMidStreamAndStartedAgainLoseNothing() throws Exception {
        Outcome outcome = stream(Map.of(
                Duration.ofSeconds(4),
                        () -> {
                            // Each instance to be stopped is doing its share of the work when it goes.
                            assertThat(assigned("token-a", "router")).isNotEmpty();
                            assertThat(assigned("dispatch-a", "dispatcher")).isNotEmpty();
                            stopInstance("token-a");
                            stopInstance("dispatch-a");
                        },
                Duration.ofSeconds(10),
                        () -> {
                            startToken("token-a");
                            startDispatch("dispatch-a");
                        }));

        assertThat(outcome.lost()).as("pushes that never reached FCM").isEmpty();
        assertThat(outcome.duplicates()).as("pushes sent twice").isZero();
    }

    @Test
    void postgresRestartedMidStreamLosesNothing() throws Exception {
        // Away for three seconds, not just a blip.
        Outcome outcome = stream(Map.of(
                Duration.ofSeconds(5),
                () -> postgres.close(),
                Duration.ofSeconds(8),
                () -> postgres = PostgresServer.start(postgresPort, postgresData)));

        assertThat(outcome.lost()).as("pushes that never reached FCM").isEmpty();
        assertThat(outcome.duplicates()).as("pushes sent twice").isZero();
    }

    /**
     * PostgreSQL away for {@link #LONG_OUTAGE} (five minutes; {@code -Dherald.faults.long-outage=PT1M} to try it
     * shorter): the events are held, not dead-lettered, and delivered — pushes and inbox rows — once it is back.
     */
    @Test
    void postgresAwayForMinutesHoldsTheEventsAndDeadLettersNothing() throws Exception {
        startFanout("fanout-a");
        Outcome outcome = stream(Map.of(
                Duration.ofSeconds(5),
                () -> postgres.close(),
                Duration.ofSeconds(5).plus(LONG_OUTAGE),
                () -> postgres = PostgresServer.start(postgresPort, postgresData)));

        assertThat(outcome.lost()).as("pushes that never reached FCM").isEmpty();
        assertThat(outcome.duplicates()).as("pushes sent twice").isZero();
        await().atMost(Duration.ofMinutes(2))
                .untilAsserted(() -> assertThat(inboxRows()).as("inbox rows").isEqualTo(outcome.expected()));
        assertThat(deadLettered()).as("records dead-lettered, by topic").isEmpty();
    }

    @Test
    void theKafkaBrokerRestartedMidStreamLosesNothing() throws Exception {
        // Down for four seconds: every service's consumers and producers lose it and find it again.
        Outcome outcome = stream(Map.of(Duration.ofSeconds(5), kafka::stop, Duration.ofSeconds(9), kafka::startAgain));

        assertThat(outcome.lost()).as("pushes that never reached FCM").isEmpty();
        assertThat(outcome.duplicates()).as("pushes sent twice").isZero();
    }

    /** What a stream came to: expected pushes (event id and token) missing at FCM, and extra copies. */
    record Outcome(List<String> lost, int duplicates, int expected) {}

    interface Fault {
        void run() throws Exception;
    }

    /**
     * Publishes one like every {@link #EVENT_EVERY} for {@link #STREAM} and at least {@link #MIN_EVENTS} (each to one
     * user, who has one FCM device),
     * runs each fault when its time comes, then waits for every push.
     */
    private Outcome stream(Map<Duration, Fault> faults) throws Exception {
        Map<String, String> expected = new ConcurrentHashMap<>(); // "eventId token" -> event id
        var failure = new AtomicReference<Throwable>();
        var done = new CountDownLatch(1);
        var stopping = new AtomicBoolean();
        Thread publisher = Thread.ofPlatform().name("faults-publisher").start(() -> {
            var props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
                long began = System.nanoTime();
                for (int i = 0; !stopping.get(); i++) {
                    long due = began + i * EVENT_EVERY.toNanos();
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    // The stream lasts STREAM, and on a busy machine (a fault that takes long to heal) until it holds
                    // MIN_EVENTS as well: what is checked is how many events a fault was under, not how fast.
                    if (System.nanoTime() - began > STREAM.toNanos() && i >= MIN_EVENTS) {
                        break;
                    }
                    UUID eventId = Ids.newEventId();
                    int user = i % USERS;
                    String event = """
                            {"eventId":"%s","schemaVersion":1,"type":"product_like","source":"faults",
                             "occurredAt":"%s","actor":{"id":"bob","displayName":"Bob"},"recipients":["user-%d"],
                             "object":{"id":"p-1","kind":"product","title":"Red bike"}}""".formatted(eventId, Instant.now(), user);
                    producer.send(new ProducerRecord<>(
                                    Topics.EVENTS, eventId.toString(), event.getBytes(StandardCharsets.UTF_8)))
                            .get(60, TimeUnit.SECONDS);
                    expected.put(eventId + " " + token(user), eventId.toString());
                }
            } catch (Throwable e) {
                failure.set(e);
            } finally {
                done.countDown();
            }
        });
        long began = System.nanoTime();
        List<Map.Entry<Duration, Fault>> inOrder = new ArrayList<>(faults.entrySet());
        inOrder.sort(Map.Entry.comparingByKey());
        for (var fault : inOrder) {
            long wait = began + fault.getKey().toNanos() - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            fault.getValue().run();
        }
        assertThat(done.await(2, TimeUnit.MINUTES)).as("the stream ended").isTrue();
        stopping.set(true);
        publisher.join();
        assertThat(failure.get()).as("publishing failed").isNull();
        assertThat(expected).hasSizeGreaterThanOrEqualTo(MIN_EVENTS);

        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> received().keySet().containsAll(expected.keySet()));
        Map<String, Integer> received = received();
        List<String> lost =
                expected.keySet().stream().filter(k -> !received.containsKey(k)).toList();
        int duplicates = received.values().stream().mapToInt(n -> n - 1).sum();
        System.out.printf(
                "faults: %d pushes expected, %d lost, %d duplicates%n", expected.size(), lost.size(), duplicates);
        return new Outcome(lost, duplicates, expected.size());
    }

    /** How many times FCM received each (event id, token). */
    private Map<String, Integer> received() {
        Map<String, Integer> counts = new HashMap<>();
        for (FcmEmulator.Received r : fcm.received()) {
            String key = r.message().path("data").path("herald.eventId").asString("") + " "
                    + r.message().path("token").asString("");
            counts.merge(key, 1, Integer::sum);
        }
        return counts;
    }

    private static String token(int user) {
        return "fcm-token-faults-" + user;
    }

    private void registerDevices() throws Exception {
        String tokenService = services.url("token-a");
        try (var http = HttpClient.newHttpClient()) {
            for (int user = 0; user < USERS; user++) {
                InternalDevices.registerFcm(http, tokenService, INTERNAL_SECRET, "user-" + user, token(user));
            }
        }
    }

    private void startToken(String name) {
        services.start(HeraldService.TOKEN, name, SETTINGS);
    }

    private void startFanout(String name) {
        services.start(HeraldService.WS_FANOUT, name, SETTINGS);
    }

    /** The inbox's rows (one per event: each event has one recipient). */
    private int inboxRows() throws Exception {
        PostgresServer.Database db = postgres.database("herald");
        try (var connection = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
                var rows = connection.createStatement().executeQuery("select count(*) from inbox.notifications")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** Every {@code -dlt} topic that holds records, with how many. */
    private Map<String, Long> deadLettered() throws Exception {
        try (var admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            var topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.endsWith("-dlt"))
                    .toList();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(topics)
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .forEach((topic, description) -> description
                            .partitions()
                            .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
            Map<String, Long> counts = new TreeMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((partition, offsets) -> {
                if (offsets.offset() > 0) {
                    counts.merge(partition.topic(), offsets.offset(), Long::sum);
                }
            });
            return counts;
        }
    }

    private void startDispatch(String name) {
        services.start(HeraldService.DISPATCH, name, SETTINGS);
    }

    private void stopInstance(String name) {
        services.stop(name);
    }

    private Collection<TopicPartition> assigned(String instance, String listener) {
        var container = services.instance(instance)
                .getBean(KafkaListenerEndpointRegistry.class)
                .getListenerContainer(listener);
        assertThat(container).as(listener + " in " + instance).isNotNull();
        var partitions = container.getAssignedPartitions();
        return partitions == null ? List.of() : partitions;
    }
}
