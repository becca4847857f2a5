package io.herald.bench;

import io.herald.devstack.HeraldService;
import io.herald.devstack.StackWiring;
import io.herald.testkit.KafkaBroker;
import io.herald.testkit.PostgresServer;
import io.herald.testkit.apns.ApnsEmulator;
import io.herald.testkit.expo.ExpoEmulator;
import io.herald.testkit.fcm.FcmEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The whole of Herald on this machine, as {@code pipeline-e2e} runs it: a Kafka broker, PostgreSQL (with production
 * durability, {@link BenchPostgres}, and {@code pg_stat_statements} loaded) and the FCM, Expo and APNs emulators in
 * this JVM; ws-fanout-, token-, dispatch- and gateway-service each in a JVM of its own
 * ({@link ServiceProcess}: its image's JVM options, a 512 MB heap, a log in {@code $TMPDIR}), configured as in
 * production but for the providers' quotas. {@link #close()} stops whatever it started, in reverse.
 */
final class PipelineStack implements AutoCloseable {

    /** One service JVM. */
    record Service(String name, Process process, int port) {}

    /**
     * How many token-service JVMs run and what they are given besides the wiring, for issue #25's benchmarks.
     *
     * @param tokenInstances token-service JVMs, each of the same consumer groups (at least one); the second and later
     *     are named {@code token-service-2} ... (their logs too)
     * @param tokenProperties settings for every token-service JVM (e.g. digest rules)
     * @param gcLogs whether every service JVM writes {@code -Xlog:gc} to {@code $TMPDIR/herald-bench-<name>-gc.log}
     *     ({@link GcLog}: the heap before and after each collection, as the JVM reports it)
     */
    record Layout(int tokenInstances, Map<String, String> tokenProperties, boolean gcLogs) {

        /** pipeline-e2e's: one token-service, nothing added. */
        static final Layout PIPELINE = new Layout(1, Map.of(), false);

        Layout {
            if (tokenInstances < 1) {
                throw new IllegalArgumentException("at least one token-service");
            }
            tokenProperties = Map.copyOf(tokenProperties);
        }
    }

    /** dispatch- and ws-fanout-service's setting: whether they publish delivery statuses (default false). */
    private static final String DELIVERY_STATUS_PUBLISH = "herald.delivery-status.publish";

    /** The services' {@code herald.internal.secret}. */
    private static final String INTERNAL_SECRET = "bench-internal-" + UUID.randomUUID();

    private final List<AutoCloseable> started = new ArrayList<>();
    private final List<Service> services = new ArrayList<>();
    private final KafkaBroker kafka;
    private final PostgresServer.Database db;
    private final PipelineEmulators emulators;
    private @Nullable StackWiring wiring;
    private @Nullable PipelineSettings settings;
    private Layout layout = Layout.PIPELINE;

    private PipelineStack(
            KafkaBroker kafka, PostgresServer.Database db, PipelineEmulators emulators, List<AutoCloseable> started) {
        this.kafka = kafka;
        this.db = db;
        this.emulators = emulators;
        this.started.addAll(started);
    }

    /** Starts it all and waits until every service is ready (two minutes each at most). */
    static PipelineStack start(PipelineSettings settings) throws Exception {
        return start(settings, Layout.PIPELINE);
    }

    /** As {@link #start(PipelineSettings)}, with {@code layout}'s token-services and GC logs. */
    static PipelineStack start(PipelineSettings settings, Layout layout) throws Exception {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            KafkaBroker kafka = KafkaBroker.start();
            started.add(kafka);
            // Production durability, and pg_stat_statements, which counts the statements a delivery costs
            // (PipelineWork).
            PostgresServer postgres = BenchPostgres.start(Map.of("shared_preload_libraries", "pg_stat_statements"));
            started.add(postgres);
            postgres.createDatabase("herald");
            FcmEmulator fcm = FcmEmulator.start();
            started.add(fcm);
            ExpoEmulator expo = ExpoEmulator.start();
            started.add(expo);
            ApnsEmulator apns = ApnsEmulator.start();
            started.add(apns);
            var stack = new PipelineStack(
                    kafka, postgres.database("herald"), new PipelineEmulators(fcm, expo, apns), started);
            started.clear();
            stack.layout = layout;
            try {
                stack.startServices(settings);
            } catch (Exception e) {
                stack.close();
                throw e;
            }
            return stack;
        } catch (Exception e) {
            closeAll(started);
            throw e;
        }
    }

    private void startServices(PipelineSettings settings) throws Exception {
        // The dev stack's wiring (devstack owns it), each service in a JVM of its own with it as arguments.
        StackWiring wiring = StackWiring.of(kafka.bootstrapServers(), db)
                .withSecrets(INTERNAL_SECRET, UUID.randomUUID().toString() + UUID.randomUUID())
                .withFcm(emulators.fcm().baseUrl(), "herald-bench")
                .withExpo(emulators.expo().baseUrl())
                .withApns(emulators.apns().dispatchProperties());
        this.wiring = wiring;
        this.settings = settings;

        // Delivery statuses on herald.delivery-status.v1 are opt-in (issue #26): published only when
        // BENCH_DELIVERY_STATUS_PUBLISH says so, production's default (false) otherwise.
        String publishStatuses = Boolean.toString(settings.publishDeliveryStatus());
        Service fanoutService =
                start(HeraldService.WS_FANOUT, wiring, Map.of(DELIVERY_STATUS_PUBLISH, publishStatuses), settings);
        Service token = start(HeraldService.TOKEN, wiring, layout.tokenProperties(), settings);
        for (int instance = 2; instance <= layout.tokenInstances(); instance++) {
            start(HeraldService.TOKEN, "token-service-" + instance, wiring, layout.tokenProperties(), settings);
        }
        // The providers' own quotas are not what is measured here.
        start(
                HeraldService.DISPATCH,
                wiring,
                Map.of(
                        "herald.dispatch.rate-limits.fcm",
                        "1000000",
                        "herald.dispatch.rate-limits.expo",
                        "1000000",
                        "herald.dispatch.rate-limits.apns",
                        "1000000",
                        DELIVERY_STATUS_PUBLISH,
                        publishStatuses),
                settings);

        Map<String, String> gateway = new LinkedHashMap<>();
        String key = "hk_bench_" + UUID.randomUUID();
        gateway.put("herald.gateway.api-keys[0].name", "bench");
        gateway.put("herald.gateway.api-keys[0].sha256", ServiceProcess.sha256Hex(key));
        gateway.put("herald.gateway.token-service-url", "http://127.0.0.1:" + token.port());
        gateway.put("herald.gateway.ws-fanout-url", "http://127.0.0.1:" + fanoutService.port());
        // The actuator on the API's port, where the readiness and metrics checks look for it.
        gateway.put("management.server.port", "${server.port}");
        start(HeraldService.GATEWAY, wiring, gateway, settings);
        for (Service service : services) {
            LocalHttp.awaitUp("http://127.0.0.1:" + service.port() + "/actuator/health/readiness", service.process());
        }
    }

    private Service start(
            HeraldService service, StackWiring wiring, Map<String, String> overrides, PipelineSettings settings)
            throws Exception {
        return start(service, service.serviceName(), wiring, overrides, settings);
    }

    private Service start(
            HeraldService service,
            String name,
            StackWiring wiring,
            Map<String, String> overrides,
            PipelineSettings settings)
            throws Exception {
        String mainClass = service.mainClass();
        int port = LocalHttp.freePort();
        Map<String, String> properties = new LinkedHashMap<>(overrides);
        properties.put("server.port", Integer.toString(port));
        List<String> args = new ArrayList<>(WiredArgs.of(wiring, service, properties));
        args.addAll(settings.serviceArgs());
        // The JVM options its image runs it with (the collector), and any for experiments; a collector named there
        // replaces the image's.
        List<String> jvmOptions = new ArrayList<>(ServiceProcess.imageJvmOptions(service.serviceName()));
        if (layout.gcLogs()) {
            jvmOptions.add("-Xlog:gc:file=" + GcLog.file(name));
        }
        List<String> extra = settings.serviceJvmOptions();
        if (extra.stream().anyMatch(o -> o.contains("GC"))) {
            jvmOptions.removeIf(o -> o.startsWith("-XX:+Use") && o.endsWith("GC"));
        }
        jvmOptions.addAll(extra);
        var running = new Service(name, ServiceProcess.start(name, mainClass, "512m", jvmOptions, args), port);
        services.add(running);
        return running;
    }

    /**
     * Stops every token-service JVM (waits for each, 30 s at most) and starts {@code instances} again, with {@code
     * tokenProperties} in place of the layout's, on new ports; returns once they are ready. The gateway keeps the
     * address of the first one it was given (the benchmarks that restart publish straight onto Kafka).
     */
    void restartTokenServices(int instances, Map<String, String> tokenProperties) throws Exception {
        if (wiring == null || settings == null) {
            throw new IllegalStateException("not started");
        }
        List<Service> tokens = services.stream()
                .filter(s -> s.name().startsWith("token-service"))
                .toList();
        tokens.forEach(s -> s.process().destroy());
        for (Service s : tokens) {
            s.process().waitFor(30, TimeUnit.SECONDS);
        }
        services.removeAll(tokens);
        layout = new Layout(instances, tokenProperties, layout.gcLogs());
        List<Service> restarted = new ArrayList<>();
        for (int instance = 1; instance <= instances; instance++) {
            String name = instance == 1 ? "token-service" : "token-service-" + instance;
            restarted.add(start(HeraldService.TOKEN, name, wiring, tokenProperties, settings));
        }
        for (Service service : restarted) {
            LocalHttp.awaitUp("http://127.0.0.1:" + service.port() + "/actuator/health/readiness", service.process());
        }
    }

    /** The running service JVM named {@code name} ({@code token-service}, {@code token-service-2} ...). */
    Service service(String name) {
        return services.stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + name));
    }

    /** The four services, in the order they started. */
    List<Service> services() {
        return List.copyOf(services);
    }

    /** The pids of the bench's JVM (broker, emulators) and the services': the JVMs whose JIT a warm-up watches. */
    List<Long> jvms() {
        List<Long> jvms = new ArrayList<>(List.of(ProcessHandle.current().pid()));
        services.forEach(s -> jvms.add(s.process().pid()));
        return jvms;
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    KafkaBroker kafka() {
        return kafka;
    }

    PostgresServer.Database db() {
        return db;
    }

    PipelineEmulators emulators() {
        return emulators;
    }

    /**
     * Registers users {@code user-0} ... {@code user-(users - 1)} with token-service, each with one FCM device: a
     * delivery as issue #26 defines it (one recipient, one FCM device, in-app too). Until 2026-12-07 a recipient had
     * one, two or three devices in turn (FCM; FCM and Expo; FCM, Expo and APNs), two pushes an event on average.
     */
    void registerDevices(int users) throws Exception {
        Service token = services.stream()
                .filter(s -> s.name().equals("token-service"))
                .findFirst()
                .orElseThrow();
        try (var http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (int user = 0; user < users; user++) {
                String body = device("fcm", "fcm-token-" + user, "android");
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

    private static String device(String provider, String token, String platform) {
        return "{\"provider\":\"" + provider + "\",\"token\":\"" + token + "\",\"platform\":\"" + platform
                + "\",\"appId\":\"dev.herald.app\",\"locale\":\"en\",\"timeZone\":\"UTC\"}";
    }

    /**
     * Stops the services (the gateway first, then waits for each, 30 s at most) and leaves the broker, PostgreSQL and
     * the emulators running: for what is measured without them ({@link PipelineFloor}). {@link #close()} after it
     * still stops the rest.
     */
    void stopServices() {
        for (Service service : services.reversed()) {
            service.process().destroy();
        }
        for (Service service : services) {
            try {
                service.process().waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the services (the gateway first, then waits for each, 30 s at most), then the emulators, PostgreSQL, Kafka. */
    @Override
    public void close() {
        stopServices();
        closeAll(started);
    }

    /** Closes {@code resources} last first; the first failure is thrown once all were tried. */
    private static void closeAll(List<AutoCloseable> resources) {
        RuntimeException failure = null;
        for (AutoCloseable resource : resources.reversed()) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("could not stop " + resource, e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
