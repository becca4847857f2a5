package io.herald.devstack;

import io.herald.fanout.ws.SocketServer;
import io.herald.testkit.LoopbackKafka;
import io.herald.testkit.PostgresServer;
import io.herald.testkit.apns.ApnsEmulator;
import io.herald.testkit.expo.ExpoEmulator;
import io.herald.testkit.fcm.FcmEmulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Herald on one machine, in one JVM: a real Kafka broker (KRaft), a real PostgreSQL server, the FCM, Expo
 * and APNs emulators, the four services and the dashboard page, each in its own Spring context reading its own configuration file, wired to each
 * other exactly as they would be in production (Kafka topics and internal HTTP, with a service credential generated
 * for the run). Everything listens on 127.0.0.1 alone ({@link #LOOPBACK}): nothing of it is reachable from another
 * machine.
 *
 * <p>Used by {@link DevStackMain} for the one-command local run and by the end-to-end test. Not thread-safe;
 * {@link #close()} stops everything in reverse order.
 */
public final class DevStack implements AutoCloseable {

    /** The database all four services share, each in its own schema. */
    static final String DATABASE = "herald";

    /** The dev stack's upstream app, allowed to publish every event type. */
    static final String APP_NAME = "dev-app";

    /** The address every server of the dev stack listens on. */
    static final String LOOPBACK = "127.0.0.1";

    private final List<AutoCloseable> started = new ArrayList<>();
    private final Map<String, String> urls = new LinkedHashMap<>();
    private final String apiKey;
    private final String jwtSecret;
    private final String internalSecret;
    private @Nullable LoopbackKafka kafka;
    private @Nullable FcmEmulator fcm;
    private @Nullable ExpoEmulator expo;
    private @Nullable ApnsEmulator apns;
    private @Nullable Dashboard dashboard;
    private @Nullable LocalServices services;

    private DevStack() {
        var random = new SecureRandom();
        this.apiKey = "hk_dev_" + StackWiring.randomToken(random, 24);
        this.jwtSecret = StackWiring.randomToken(random, 48);
        this.internalSecret = StackWiring.randomToken(random, 32);
    }

    /**
     * Where everything listens. A port of {@code 0} means any free port (tests); the dev stack uses fixed ones.
     *
     * @param kafkaPort the Kafka broker
     * @param postgresPort the PostgreSQL server
     * @param postgresData where PostgreSQL keeps its data across runs, or {@code null} for a throwaway one
     * @param fcmPort the FCM emulator
     * @param expoPort the Expo emulator
     * @param apnsPort the APNs emulator
     * @param dashboardPort the dashboard page
     * @param gatewayPort gateway-service, the public HTTP API
     * @param tokenPort token-service's internal API
     * @param dispatchPort dispatch-service (health and metrics)
     * @param fanoutPort ws-fanout-service's WebSocket
     * @param fanoutInternalPort ws-fanout-service's internal inbox API
     * @param gatewayManagementPort gateway-service's actuator (health and metrics)
     */
    public record Ports(
            int kafkaPort,
            int postgresPort,
            @Nullable Path postgresData,
            int fcmPort,
            int expoPort,
            int apnsPort,
            int dashboardPort,
            int gatewayPort,
            int tokenPort,
            int dispatchPort,
            int fanoutPort,
            int fanoutInternalPort,
            int gatewayManagementPort) {

        /** Free ports and a throwaway database, for tests. */
        public static Ports ephemeral() {
            return new Ports(0, 0, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
    }

    /** Starts everything; on failure, stops what had started and rethrows. */
    public static DevStack start(Ports ports) {
        return start(ports, Map.of());
    }

    /**
     * Starts everything, each service with the settings an operator would give it over its own: {@code settings}
     * maps a service's name ({@code token-service}, …) to its properties, such as {@code
     * herald.token.templates[chat][en].android-channel}. For tests that need a configuration of their own.
     */
    public static DevStack start(Ports ports, Map<String, Map<String, String>> settings) {
        var stack = new DevStack();
        try {
            stack.startAll(ports, settings);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startAll(Ports ports, Map<String, Map<String, String>> settings) {
        LoopbackKafka broker = LoopbackKafka.start(ports.kafkaPort());
        started.add(broker);
        this.kafka = broker;
        String bootstrap = broker.bootstrapServers();
        urls.put("kafka", bootstrap);

        PostgresServer postgres = PostgresServer.start(ports.postgresPort(), ports.postgresData());
        started.add(postgres);
        postgres.createDatabase(DATABASE);
        PostgresServer.Database db = postgres.database(DATABASE);
        urls.put("postgresql", db.jdbcUrl());

        FcmEmulator emulator = FcmEmulator.start(ports.fcmPort());
        started.add(emulator);
        this.fcm = emulator;
        urls.put("fcm-emulator", emulator.baseUrl());
        ExpoEmulator expoEmulator = ExpoEmulator.start(ports.expoPort());
        started.add(expoEmulator);
        this.expo = expoEmulator;
        urls.put("expo-emulator", expoEmulator.baseUrl());
        ApnsEmulator apnsEmulator = ApnsEmulator.start(ports.apnsPort());
        started.add(apnsEmulator);
        this.apns = apnsEmulator;
        urls.put("apns-emulator", "https://127.0.0.1:" + apnsEmulator.port());
        // The page is up first so that the gateway can let its origin in (CORS).
        Dashboard page = Dashboard.start(ports.dashboardPort(), this);
        started.add(page);
        this.dashboard = page;
        urls.put("dashboard", page.url());

        StackWiring wiring = StackWiring.of(bootstrap, db)
                .withSecrets(internalSecret, jwtSecret)
                .withFcm(emulator.baseUrl(), "herald-dev")
                .withExpo(expoEmulator.baseUrl())
                .withApns(apnsEmulator.dispatchProperties());
        LocalServices instances = new LocalServices(wiring);
        started.add(instances);
        this.services = instances;

        // server.port is the node's internal API and actuator; the WebSocket has its own port.
        instances.start(
                HeraldService.WS_FANOUT,
                "ws-fanout-service",
                with(
                        settings,
                        "ws-fanout-service",
                        Map.of(
                                "server.port", Integer.toString(ports.fanoutInternalPort()),
                                "herald.fanout.ws.port", Integer.toString(ports.fanoutPort()),
                                // A work_response from the socket also tells the assignment's actor (seed 001's
                                // seeker).
                                "herald.fanout.dialects.reply-routing", "work_response")));
        int fanoutPort = instances
                .instance("ws-fanout-service")
                .getBean(SocketServer.class)
                .port();
        urls.put("ws-fanout-service", "ws://127.0.0.1:" + fanoutPort + "/ws/notifications");
        urls.put("ws-fanout-internal", instances.url("ws-fanout-service"));

        // dispatch-service asks ws-fanout's internal API for a push's badge "unread".
        instances.start(
                HeraldService.DISPATCH,
                "dispatch-service",
                with(
                        settings,
                        "dispatch-service",
                        Map.of(
                                "server.port",
                                Integer.toString(ports.dispatchPort()),
                                "herald.dispatch.unread-badge.ws-fanout-url",
                                instances.url("ws-fanout-service"))));
        urls.put("dispatch-service", instances.url("dispatch-service"));

        // token-service composes the delivery log and history from dispatch's and ws-fanout's internal APIs.
        instances.start(
                HeraldService.TOKEN,
                "token-service",
                with(
                        settings,
                        "token-service",
                        Map.of(
                                "server.port",
                                Integer.toString(ports.tokenPort()),
                                "herald.token.log.dispatch-url",
                                instances.url("dispatch-service"),
                                "herald.token.log.ws-fanout-url",
                                instances.url("ws-fanout-service"))));
        urls.put("token-service", instances.url("token-service"));

        // The gateway calls the token-service and ws-fanout-service above.
        Map<String, String> gateway = new LinkedHashMap<>();
        gateway.put("server.port", Integer.toString(ports.gatewayPort()));
        gateway.put("herald.gateway.api-keys[0].name", APP_NAME);
        gateway.put("herald.gateway.api-keys[0].sha256", sha256(apiKey));
        gateway.put("herald.gateway.dev.enabled", "true");
        gateway.put("herald.gateway.cors.allowed-origins[0]", page.origin());
        gateway.put("herald.gateway.cors.allowed-origins[1]", page.origin().replace("127.0.0.1", "localhost"));
        gateway.put("management.server.port", Integer.toString(ports.gatewayManagementPort()));
        ConfigurableApplicationContext gatewayContext =
                instances.start(HeraldService.GATEWAY, "gateway-service", with(settings, "gateway-service", gateway));
        urls.put("gateway", instances.url("gateway-service"));
        urls.put(
                "gateway-management",
                "http://127.0.0.1:"
                        + gatewayContext.getEnvironment().getRequiredProperty("local.management.port", Integer.class));
    }

    /** {@code own} with the service's settings from {@code settings} over it. */
    private static Map<String, String> with(
            Map<String, Map<String, String>> settings, String service, Map<String, String> own) {
        Map<String, String> all = new LinkedHashMap<>(own);
        all.putAll(settings.getOrDefault(service, Map.of()));
        return all;
    }

    /**
     * Where each part listens: {@code kafka}, {@code postgresql}, {@code fcm-emulator}, {@code expo-emulator},
     * {@code apns-emulator}, {@code dashboard}, the services.
     */
    public Map<String, String> urls() {
        return Map.copyOf(urls);
    }

    /** The public API's base URL. */
    public String gatewayUrl() {
        return Objects.requireNonNull(urls.get("gateway"));
    }

    /** The Kafka bootstrap servers. */
    public String kafkaBootstrapServers() {
        return requireStarted(kafka).bootstrapServers();
    }

    /** The credential of the internal APIs ({@code herald.internal.secret}), random per run. */
    public String internalSecret() {
        return internalSecret;
    }

    /** The service context started as {@code name} ({@code gateway-service}, {@code token-service} …). */
    ConfigurableApplicationContext context(String name) {
        return requireStarted(services).instance(name);
    }

    /** The dev app's API key (random per run; only its hash is given to the gateway). */
    public String apiKey() {
        return apiKey;
    }

    /** The FCM emulator, which records every message dispatch-service sent. */
    public FcmEmulator fcm() {
        return requireStarted(fcm);
    }

    /** The Expo emulator. */
    public ExpoEmulator expo() {
        return requireStarted(expo);
    }

    /** The APNs emulator (Pushy's mock server). */
    public ApnsEmulator apns() {
        return requireStarted(apns);
    }

    /** The dashboard page's URL. */
    public String dashboardUrl() {
        return requireStarted(dashboard).url();
    }

    /** The WebSocket's URL. */
    public String webSocketUrl() {
        return Objects.requireNonNull(urls.get("ws-fanout-service"));
    }

    private static <T> T requireStarted(@Nullable T part) {
        if (part == null) {
            throw new IllegalStateException("the dev stack has not started");
        }
        return part;
    }

    /** Stops the services, then the emulator, PostgreSQL and Kafka; never throws. */
    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                System.err.println("herald dev stack: could not stop " + started.get(i) + ": " + e);
            }
        }
        started.clear();
    }

    static String sha256(String value) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
