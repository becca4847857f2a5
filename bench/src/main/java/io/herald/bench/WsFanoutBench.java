package io.herald.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.Topics;
import io.herald.testkit.ConsumerLag;
import io.herald.testkit.KafkaBroker;
import io.herald.testkit.PostgresServer;
import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Benchmark {@code ws-fanout}: one ws-fanout-service node (its own JVM, fed by a real Kafka broker, writing
 * its inbox to a real PostgreSQL) against a socket.io 4 server (Node, fed over a local TCP socket), with the
 * same clients: {@code connections} authenticated WebSockets opened by this JVM.
 *
 * <p>Figures: heap per idle connection (after a full GC, with and without the sockets), the highest
 * notification rate each sustains (every notification delivered, p99 under one second), and the p99
 * latency from publish to socket at a rate both sustain.
 */
final class WsFanoutBench {

    private static final String BENCHMARK = "ws-fanout";
    /** Partitions of the in-app topic, as Herald's services create it. */
    private static final int PARTITIONS = 3;

    record Settings(int connections, int[] rates, int stepSeconds, int latencyRate, int warmUpSeconds, Path root) {

        static Settings fromSystemProperties() {
            int[] rates = Arrays.stream(setting(
                                    "BENCH_RATES",
                                    "1000,2000,5000,7500,10000,11000,12000,13000,14000,15000,16000,17000,18000,19000,20000,25000,30000,40000")
                            .split(","))
                    .mapToInt(Integer::parseInt)
                    .toArray();
            return new Settings(
                    Integer.parseInt(setting("BENCH_CONNECTIONS", "10000")),
                    rates,
                    Integer.parseInt(setting("BENCH_STEP_SECONDS", "5")),
                    Integer.parseInt(setting("BENCH_LATENCY_RATE", "2000")),
                    Integer.parseInt(setting("BENCH_WARMUP_SECONDS", "60")),
                    Path.of(System.getProperty("bench.root", "bench")));
        }
    }

    static String setting(String variable, String fallback) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** What one server under test must offer the benchmark. */
    interface Target extends AutoCloseable {
        String name();

        /** Bytes of heap in use after a full collection. */
        long heapAfterGc() throws Exception;

        /** Opens one authenticated socket for {@code user}; completes when the server has accepted it. */
        CompletableFuture<WsClients.Socket> connect(WsClients clients, String user, String jwt, Receiver receiver);

        /** Publishes one notification for {@code user}, carrying {@code sentMicros}. */
        void publish(String user, long sentMicros) throws Exception;

        void flush() throws Exception;

        /**
         * Notifications the target has delivered live but not yet stored (its inbox writer's consumer lag), or -1
         * when it stores none.
         */
        default long storeBacklog() throws Exception {
            return -1;
        }
    }

    /** Counts deliveries and records publish-to-socket latencies. Thread-safe. */
    static final class Receiver {
        final AtomicLong received = new AtomicLong();
        private final long[] latencies = new long[4_000_000];
        private final AtomicInteger recorded = new AtomicInteger();

        void delivered(String message) {
            int at = message.indexOf("\"sent_us\":\"");
            if (at < 0) {
                return;
            }
            int start = at + 11;
            int end = message.indexOf('"', start);
            long sent = Long.parseLong(message, start, end, 10);
            long latency = nowMicros() - sent;
            int slot = recorded.getAndIncrement();
            if (slot < latencies.length) {
                latencies[slot] = latency;
            }
            received.incrementAndGet();
        }

        void reset() {
            received.set(0);
            recorded.set(0);
        }

        double percentileMillis(double percentile) {
            int n = Math.min(recorded.get(), latencies.length);
            if (n == 0) {
                return Double.NaN;
            }
            long[] copy = Arrays.copyOf(latencies, n);
            Arrays.sort(copy);
            int index = (int) Math.min(n - 1, Math.ceil(percentile / 100.0 * n) - 1);
            return copy[Math.max(0, index)] / 1000.0;
        }
    }

    record Figures(double heapPerConnection, double sustainedPerSecond, double p99AtLatencyRate) {}

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    static void run(Settings settings) throws Exception {
        String secret = UUID.randomUUID() + "-" + UUID.randomUUID();
        try (KafkaBroker kafka = KafkaBroker.start();
                PostgresServer postgres = PostgresServer.start(0, null)) {
            postgres.createDatabase("bench");
            // As Herald's services create it, before any target reads it.
            try (var admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(
                                new org.apache.kafka.clients.admin.NewTopic(Topics.INAPP, PARTITIONS, (short) 1)))
                        .all()
                        .get(1, TimeUnit.MINUTES);
            }
            // herald: a node as deployed, storing every notification in its inbox too (PostgreSQL, on the same
            // cores); herald-live: a node with its inbox writer off (the inbox written elsewhere: by other nodes
            // of the shared group, or dedicated writers), the same work as the peer's. BENCH_TARGETS with fewer
            // measures those alone (for experiments; no rows written).
            var targets = List.of(
                    setting("BENCH_TARGETS", "herald,herald-live,socket.io").split(","));
            Figures herald = null;
            if (targets.contains("herald")) {
                try (var target = HeraldNode.start(kafka, postgres.database("bench"), secret, true)) {
                    herald = measure(target, settings, secret);
                }
            }
            Figures heraldLive = null;
            if (targets.contains("herald-live")) {
                try (var target = HeraldNode.start(kafka, postgres.database("bench"), secret, false)) {
                    heraldLive = measure(target, settings, secret);
                }
            }
            Figures peer = null;
            if (targets.contains("socket.io")) {
                try (var target = SocketIoPeer.start(settings.root().resolve("ws-fanout/peer"), secret, kafka)) {
                    peer = measure(target, settings, secret);
                }
            }
            if (herald == null || heraldLive == null || peer == null) {
                return;
            }
            String command =
                    "./mvnw -B -q install -DskipTests && ./mvnw -B -q -f bench/pom.xml compile exec:exec -Dbench=ws-fanout";
            var results = new Results(settings.root().resolve("RESULTS.md"), command);
            results.row(
                    BENCHMARK,
                    "heap-bytes-per-connection",
                    herald.heapPerConnection(),
                    "bytes",
                    "socket.io 4.8",
                    peer.heapPerConnection());
            results.row(
                    BENCHMARK,
                    "delivered-per-s",
                    herald.sustainedPerSecond(),
                    "msg/s",
                    "socket.io 4.8",
                    peer.sustainedPerSecond());
            results.row(
                    BENCHMARK,
                    "p99-ms",
                    herald.p99AtLatencyRate(),
                    "ms at " + settings.latencyRate() + " msg/s",
                    "socket.io 4.8",
                    peer.p99AtLatencyRate());
            results.row(
                    BENCHMARK,
                    "delivered-per-s-without-inbox-writer",
                    heraldLive.sustainedPerSecond(),
                    "msg/s",
                    "socket.io 4.8",
                    peer.sustainedPerSecond());
            results.row(
                    BENCHMARK,
                    "p99-ms-without-inbox-writer",
                    heraldLive.p99AtLatencyRate(),
                    "ms at " + settings.latencyRate() + " msg/s",
                    "socket.io 4.8",
                    peer.p99AtLatencyRate());
        }
    }

    static Figures measure(Target target, Settings settings, String secret) throws Exception {
        System.out.printf("%n== %s: %d sockets ==%n", target.name(), settings.connections());
        long heapBefore = target.heapAfterGc();
        var receiver = new Receiver();
        // Two I/O threads, one per core: the clients are the same for every target.
        var clients = new WsClients(2);
        List<WsClients.Socket> sockets = new ArrayList<>(settings.connections());
        var inFlight = new Semaphore(256);
        var opened = new CountDownLatch(settings.connections());
        var failures = new AtomicInteger();
        for (int i = 0; i < settings.connections(); i++) {
            inFlight.acquire();
            String user = "user-" + i;
            target.connect(clients, user, jwt(user, secret), receiver).whenComplete((socket, error) -> {
                inFlight.release();
                if (error != null) {
                    failures.incrementAndGet();
                } else {
                    synchronized (sockets) {
                        sockets.add(socket);
                    }
                }
                opened.countDown();
            });
        }
        if (!opened.await(5, TimeUnit.MINUTES) || failures.get() > 0) {
            throw new IllegalStateException(target.name() + ": " + failures.get() + " sockets failed to open");
        }
        long heapAfter = target.heapAfterGc();
        double perConnection = (heapAfter - heapBefore) / (double) settings.connections();
        System.out.printf(
                "%s: heap %d -> %d bytes, %.0f bytes per connection%n",
                target.name(), heapBefore, heapAfter, perConnection);

        var publisher = new Publisher(target, receiver, settings);
        // Warm-up, the same for both, not recorded: a JVM compiles its hot paths for tens of seconds (at first,
        // Herald's node takes twice the CPU per notification it takes a minute later), and producer metadata and
        // fetch sessions settle. Steps at the latency rate until warmUpSeconds have passed.
        int warmUpSteps = Math.max(1, (settings.warmUpSeconds() + settings.stepSeconds() - 1) / settings.stepSeconds());
        for (int i = 0; i < warmUpSteps; i++) {
            publisher.step(settings.latencyRate(), true);
        }
        double sustained = 0;
        double p99AtLatencyRate = Double.NaN;
        for (int rate : settings.rates()) {
            Step step = publisher.step(rate, false);
            if (rate == settings.latencyRate()) {
                p99AtLatencyRate = step.p99();
            }
            if (!step.kept()) {
                // Not halving the gap back down: a step after an overloaded one fails for every target here.
                break;
            }
            sustained = Math.max(sustained, step.sustained());
        }
        long behind = target.storeBacklog();
        if (behind > 0) {
            // The live figures do not wait for the inbox; say how far behind it was and how long it took to catch up.
            long since = System.nanoTime();
            long until = since + TimeUnit.MINUTES.toNanos(10);
            long left = behind;
            while (left > 0 && System.nanoTime() < until) {
                TimeUnit.SECONDS.sleep(1);
                left = target.storeBacklog();
            }
            System.out.printf(
                    "%s: inbox writer %d behind after the last step, %s%n",
                    target.name(),
                    behind,
                    left == 0
                            ? String.format("caught up %.0f s later", (System.nanoTime() - since) / 1e9)
                            : "not caught up 10 minutes later");
        }
        for (WsClients.Socket socket : sockets) {
            socket.abort();
        }
        clients.close();
        return new Figures(perConnection, sustained, p99AtLatencyRate);
    }

    /** What one paced step gave. */
    record Step(int rate, double achieved, double p99, boolean kept) {
        /** The rate this step shows sustained: what was offered, or less when the publisher fell behind. */
        double sustained() {
            return Math.min(achieved, rate);
        }
    }

    /** Publishes paced steps of notifications to one target and judges each. */
    static final class Publisher {
        private final Target target;
        private final Receiver receiver;
        private final Settings settings;
        private int next;

        Publisher(Target target, Receiver receiver, Settings settings) {
            this.target = target;
            this.receiver = receiver;
            this.settings = settings;
        }

        /**
         * {@code rate} notifications a second for a step; kept when every one arrived within the drain time, the
         * p99 stayed under the limit and the publisher kept (nearly) to the pace.
         */
        Step step(int rate, boolean warmUp) throws Exception {
            receiver.reset();
            long count = (long) rate * settings.stepSeconds();
            long start = System.nanoTime();
            long interval = 1_000_000_000L / rate;
            for (long n = 0; n < count; n++) {
                long due = start + n * interval;
                long wait = due - System.nanoTime();
                if (wait > 50_000) {
                    LockSupport.parkNanos(wait);
                }
                target.publish("user-" + (next++ % settings.connections()), nowMicros());
            }
            target.flush();
            double sendSeconds = (System.nanoTime() - start) / 1e9;
            long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (receiver.received.get() < count && System.nanoTime() < drainUntil) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            long got = receiver.received.get();
            double p99 = receiver.percentileMillis(99);
            double achieved = count / sendSeconds;
            boolean kept = got == count
                    && p99 < Double.parseDouble(setting("BENCH_MAX_P99_MS", "1000"))
                    && sendSeconds < settings.stepSeconds() * 1.1;
            long backlog = target.storeBacklog();
            System.out.printf(
                    "%s: rate %d/s -> published at %.0f/s, delivered %d of %d, p50 %.1f ms, p99 %.1f ms%s%s%n",
                    target.name(),
                    rate,
                    achieved,
                    got,
                    count,
                    receiver.percentileMillis(50),
                    p99,
                    backlog < 0 ? "" : ", inbox writer " + backlog + " behind",
                    warmUp ? " (warm-up)" : kept ? "" : " (not sustained)");
            if (got < count) {
                // What is still on its way would count in the next step: let the target catch up first.
                long last = -1;
                long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                while (receiver.received.get() != last && System.nanoTime() < until) {
                    last = receiver.received.get();
                    TimeUnit.SECONDS.sleep(2);
                }
            }
            return new Step(rate, achieved, p99, kept);
        }
    }

    static String jwt(String subject, String secret) {
        try {
            var claims = new JWTClaimsSet.Builder()
                    .subject(subject)
                    .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(2))))
                    .build();
            var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String get(String url) throws IOException, InterruptedException {
        // HTTP/1.1: Node hands an h2c upgrade request to socket.io's upgrade handler, which drops it.
        try (var http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return http.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        }
    }

    static void awaitUp(String url, Process process) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("process exited with " + process.exitValue());
            }
            try {
                if (get(url).contains("UP") || get(url).contains("heapUsed")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new IllegalStateException(url + " did not come up");
    }

    /**
     * Notifications onto {@code herald.inapp.v1}, as token-service publishes them: the same records for Herald's
     * node and for the peer.
     */
    static final class Feed implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;

        Feed(KafkaBroker kafka) {
            var props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }

        void publish(String user, long sentMicros) {
            UUID eventId = UUID.randomUUID();
            var notification = new InAppNotification(
                    Ids.notificationId(eventId, user),
                    eventId,
                    DomainEvent.SCHEMA_VERSION,
                    Instant.now(),
                    user,
                    "product_like",
                    "Your product was liked",
                    "Bob liked your product \"Red bike\"",
                    Map.of("productId", "p-1", "sent_us", Long.toString(sentMicros)),
                    null,
                    null);
            producer.send(
                    new ProducerRecord<>(Topics.INAPP, user, HeraldJson.mapper().writeValueAsBytes(notification)));
        }

        void flush() {
            producer.flush();
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    /** One ws-fanout-service node in its own JVM. */
    static final class HeraldNode implements Target {
        private final Process process;
        private final int port;
        private final int socketPort;
        private final Feed feed;

        private final boolean inboxWriter;
        private final Admin admin;

        private HeraldNode(Process process, int port, int socketPort, Feed feed, boolean inboxWriter, Admin admin) {
            this.inboxWriter = inboxWriter;
            this.admin = admin;
            this.process = process;
            this.port = port;
            this.socketPort = socketPort;
            this.feed = feed;
        }

        static HeraldNode start(KafkaBroker kafka, PostgresServer.Database db, String secret, boolean inboxWriter)
                throws Exception {
            int port = freePort();
            int socketPort = freePort();
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            // The options its image runs it with (the collector among them), with the bench's own heap.
            var command = new ArrayList<>(List.of(java.toString(), "-Xmx2g"));
            command.addAll(ServiceProcess.imageJvmOptions("ws-fanout-service"));
            // For experiments, e.g. -XX:StartFlightRecording=...: extra options for the node's JVM.
            String options = setting("BENCH_NODE_JVM_OPTIONS", "");
            if (!options.isBlank()) {
                command.addAll(Arrays.asList(options.trim().split("\\s+")));
            }
            command.addAll(List.of(
                    "-cp",
                    System.getProperty("java.class.path"),
                    "io.herald.fanout.FanoutApplication",
                    "--server.port=" + port,
                    "--herald.fanout.ws.port=" + socketPort,
                    "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                    "--spring.datasource.url=" + db.jdbcUrl(),
                    "--spring.datasource.username=" + db.username(),
                    "--spring.datasource.password=" + db.password(),
                    "--herald.fanout.jwt.hmac-secret=" + secret,
                    "--herald.internal.secret=bench-internal-secret-of-at-least-32-bytes",
                    // Its own live consumer group per node, starting at the newest record.
                    "--herald.fanout.ws.node-id=bench-" + (inboxWriter ? "with-inbox" : "live-only"),
                    "--herald.fanout.inbox.writer-enabled=" + inboxWriter,
                    "--management.endpoints.web.exposure.include=health,metrics",
                    "--logging.level.root=WARN"));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(Path.of(System.getProperty("java.io.tmpdir"), "herald-bench-node.log")
                            .toFile())
                    .start();
            awaitUp("http://127.0.0.1:" + port + "/actuator/health", process);
            return new HeraldNode(
                    process,
                    port,
                    socketPort,
                    new Feed(kafka),
                    inboxWriter,
                    Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers())));
        }

        @Override
        public String name() {
            return inboxWriter ? "herald ws-fanout" : "herald ws-fanout without inbox writer";
        }

        @Override
        public long heapAfterGc() throws Exception {
            for (int i = 0; i < 2; i++) {
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "jcmd")
                                        .toString(),
                                Long.toString(process.pid()),
                                "GC.run")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .waitFor();
            }
            String body = get("http://127.0.0.1:" + port + "/actuator/metrics/jvm.memory.used?tag=area:heap");
            var value = HeraldJson.mapper()
                    .readTree(body)
                    .path("measurements")
                    .get(0)
                    .path("value");
            return (long) value.asDouble();
        }

        @Override
        public CompletableFuture<WsClients.Socket> connect(
                WsClients clients, String user, String jwt, Receiver receiver) {
            var ready = new CompletableFuture<WsClients.Socket>();
            clients.connect(
                            URI.create("ws://127.0.0.1:" + socketPort + "/ws/notifications"),
                            Map.of("Authorization", "Bearer " + jwt),
                            (socket, message) -> {
                                if (message.contains("\"sent_us\"")) {
                                    receiver.delivered(message);
                                } else if (message.startsWith("{\"type\":\"unread_count\"")) {
                                    ready.complete(socket);
                                }
                            })
                    .whenComplete((socket, error) -> {
                        if (error != null) {
                            ready.completeExceptionally(error);
                        }
                    });
            return ready;
        }

        @Override
        public void publish(String user, long sentMicros) {
            feed.publish(user, sentMicros);
        }

        @Override
        public void flush() {
            feed.flush();
        }

        @Override
        public long storeBacklog() throws Exception {
            if (!inboxWriter) {
                return -1;
            }
            // The inbox writers' shared group (it commits about once a second, so this is within a second's worth).
            return ConsumerLag.of(admin, "herald-ws-fanout-service", Topics.INAPP);
        }

        @Override
        public void close() {
            admin.close();
            feed.close();
            process.destroy();
        }
    }

    /**
     * The socket.io 4 server of {@code bench/ws-fanout/peer}, in Node, reading the same topic with kafkajs in its
     * own consumer group.
     */
    static final class SocketIoPeer implements Target {
        private final Process process;
        private final int port;
        private final Feed feed;

        private SocketIoPeer(Process process, int port, Feed feed) {
            this.process = process;
            this.port = port;
            this.feed = feed;
        }

        static SocketIoPeer start(Path peerDirectory, String secret, KafkaBroker kafka) throws Exception {
            int port = freePort();
            var builder = new ProcessBuilder("node", "--expose-gc", "server.js")
                    .directory(peerDirectory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(Path.of(System.getProperty("java.io.tmpdir"), "herald-bench-peer.log")
                            .toFile());
            builder.environment().put("PORT", Integer.toString(port));
            builder.environment().put("KAFKA", kafka.bootstrapServers());
            builder.environment().put("TOPIC", Topics.INAPP);
            builder.environment().put("SECRET", secret);
            Process process = builder.start();
            awaitUp("http://127.0.0.1:" + port + "/stats", process);
            // Its consumer starts from the newest records, as Herald's live path does: wait until it has joined.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (!get("http://127.0.0.1:" + port + "/stats").contains("\"ready\":true")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the socket.io peer's Kafka consumer did not join its group");
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
            return new SocketIoPeer(process, port, new Feed(kafka));
        }

        @Override
        public String name() {
            return "socket.io 4.8";
        }

        @Override
        public long heapAfterGc() throws Exception {
            return HeraldJson.mapper()
                    .readTree(get("http://127.0.0.1:" + port + "/stats"))
                    .path("heapUsed")
                    .asLong();
        }

        @Override
        public CompletableFuture<WsClients.Socket> connect(
                WsClients clients, String user, String jwt, Receiver receiver) {
            var ready = new CompletableFuture<WsClients.Socket>();
            String url = "ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket";
            clients.connect(URI.create(url), Map.of(), (socket, message) -> {
                        // Engine.IO v4 packets: 0 open, 2 ping, 4 message; Socket.IO: 40 connect, 42 event.
                        if (message.startsWith("42")) {
                            receiver.delivered(message);
                        } else if (message.equals("2")) {
                            socket.sendText("3");
                        } else if (message.startsWith("0{")) {
                            socket.sendText("40{\"token\":\"" + jwt + "\"}");
                        } else if (message.startsWith("40")) {
                            ready.complete(socket);
                        } else if (message.startsWith("44")) {
                            ready.completeExceptionally(new IllegalStateException("refused: " + message));
                        }
                    })
                    .whenComplete((socket, error) -> {
                        if (error != null) {
                            ready.completeExceptionally(error);
                        }
                    });
            return ready;
        }

        @Override
        public void publish(String user, long sentMicros) {
            feed.publish(user, sentMicros);
        }

        @Override
        public void flush() {
            feed.flush();
        }

        @Override
        public void close() {
            feed.close();
            process.destroy();
        }
    }
}
