package io.herald.devstack;

import io.herald.testkit.KafkaProcess;
import io.herald.testkit.PostgresServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * Herald as {@code docker-compose.yml} deploys it, without Docker: each service's executable jar in a JVM of its
 * own, started with its Dockerfile's JVM options, a heap of three quarters of its compose memory limit (what
 * {@code -XX:MaxRAMPercentage=75} gives in the container), and exactly the environment compose gives it — read from
 * the compose file, with the compose hosts ({@code kafka}, {@code postgres}, {@code token-service} …) pointed at
 * this machine. Kafka is a broker process of its own and PostgreSQL a server process of its own. Tests drive it only
 * through the published contract, as an outsider would.
 *
 * <p>A service may run several instances: each gets its own ports (and, for ws-fanout, its own node id); the
 * gateway talks to the first instance of token-service and ws-fanout-service, as a compose network alias would
 * pick one.
 */
final class JarStack implements AutoCloseable {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)(?::?([-?])([^}]*))?}");

    /** One running service instance: its process, and the ports it listens on by the name of their variable. */
    record Instance(String service, String name, Process process, Map<String, Integer> ports, Path log) {
        URI url(String portVariable) {
            return URI.create("http://127.0.0.1:" + ports.get(portVariable));
        }
    }

    private final KafkaProcess kafka;
    private final PostgresServer postgres;
    private final Map<String, String> given;
    private final Map<String, Map<String, Object>> compose;
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final Path logs;

    private JarStack(KafkaProcess kafka, PostgresServer postgres, Map<String, String> given, Path logs)
            throws IOException {
        this.kafka = kafka;
        this.postgres = postgres;
        this.given = given;
        this.compose = services();
        this.logs = logs;
    }

    /**
     * Starts Kafka, PostgreSQL and {@code counts} instances of each named service (launched in the order given,
     * so that a service another one calls comes first), with {@code given} as compose's {@code .env} (the secrets and URLs it requires).
     */
    static JarStack start(Map<String, String> given, Map<String, Integer> counts) throws Exception {
        KafkaProcess kafka = KafkaProcess.start();
        int postgresPort = freePort();
        PostgresServer postgres = PostgresServer.start(
                postgresPort, null, Map.of("synchronous_commit", "on")); // compose's server commits synchronously
        // What the compose file's postgres image makes of POSTGRES_DB, POSTGRES_USER and POSTGRES_PASSWORD.
        try (var connection = DriverManager.getConnection(
                        postgres.database("postgres").jdbcUrl(), "postgres", "");
                var statement = connection.createStatement()) {
            statement.execute("create role herald login password '"
                    + given.getOrDefault("HERALD_DATABASE_PASSWORD", "herald").replace("'", "''") + "'");
            statement.execute("create database herald owner herald");
        }
        Path logs = Path.of("target", "jarstack").toAbsolutePath();
        Files.createDirectories(logs);
        var stack = new JarStack(kafka, postgres, given, logs);
        try {
            // All at once (compose starts them in parallel too); a later one only needs an earlier one's ports.
            List<Instance> starting = new ArrayList<>();
            for (var count : counts.entrySet()) {
                for (int i = 0; i < count.getValue(); i++) {
                    starting.add(stack.launch(count.getKey(), i));
                }
            }
            for (Instance instance : starting) {
                stack.awaitReady(instance);
            }
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    Instance instance(String name) {
        Instance instance = instances.get(name);
        if (instance == null) {
            throw new IllegalArgumentException("no instance " + name + " among " + instances.keySet());
        }
        return instance;
    }

    /** The public gateway (the first instance's). */
    URI gateway() {
        return instance("gateway-service-0").url("HERALD_GATEWAY_PORT");
    }

    /** The WebSocket of ws-fanout instance {@code i}. */
    URI socket(int i) {
        return URI.create("ws://127.0.0.1:"
                + instance("ws-fanout-service-" + i).ports().get("HERALD_FANOUT_PORT") + "/ws/notifications");
    }

    /** Kills an instance as a crash or the OOM killer would: SIGKILL, no shutdown hooks. */
    void kill(String name) throws InterruptedException {
        Instance instance = instances.remove(name);
        instance.process().destroyForcibly();
        instance.process().waitFor();
    }

    /** Starts instance {@code i} of {@code service} again (or for the first time) and waits until it is ready. */
    Instance startAgain(String service, int i) throws Exception {
        Instance instance = launch(service, i);
        awaitReady(instance);
        return instance;
    }

    /** Whether the instance's process is still running (a request did not take it down). */
    boolean alive(String name) {
        return instances.containsKey(name) && instance(name).process().isAlive();
    }

    private Instance launch(String service, int i) throws IOException {
        Map<String, Object> definition = compose.get(service);
        Map<String, Integer> ports = new LinkedHashMap<>();
        Map<String, String> environment = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        var declared = (Map<String, Object>) definition.getOrDefault("environment", Map.of());
        for (var variable : declared.entrySet()) {
            String value = resolve(String.valueOf(variable.getValue()));
            if (variable.getKey().endsWith("_PORT")) {
                int port = freePort();
                ports.put(variable.getKey(), port);
                value = Integer.toString(port);
            }
            environment.put(variable.getKey(), value);
        }
        if (environment.containsKey("HERALD_FANOUT_NODE_ID")) {
            environment.put("HERALD_FANOUT_NODE_ID", "ws-" + i);
        }
        String name = service + "-" + i;
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heapOf(String.valueOf(definition.get("mem_limit")))));
        command.addAll(imageJvmOptions(service));
        command.add("-jar");
        command.add(executableJar(service).toString());
        Path log = logs.resolve(name + ".log");
        var builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        Instance instance = new Instance(service, name, builder.start(), ports, log);
        instances.put(name, instance);
        return instance;
    }

    private void awaitReady(Instance instance) throws Exception {
        URI health = readiness(instance);
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        try (var http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            while (true) {
                if (!instance.process().isAlive()) {
                    throw new IllegalStateException(instance.name() + " exited with "
                            + instance.process().exitValue() + "; see " + instance.log());
                }
                try {
                    var answer = http.send(
                            HttpRequest.newBuilder(health)
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (answer.statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // starting
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(instance.name() + " not ready in 3 minutes; see " + instance.log());
                }
                instance.process().waitFor(250, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Where each service's actuator listens when it has no management port of its own. */
    private static final Map<String, String> HTTP_PORT = Map.of(
            "gateway-service", "HERALD_GATEWAY_PORT",
            "token-service", "HERALD_TOKEN_PORT",
            "dispatch-service", "HERALD_DISPATCH_PORT",
            "ws-fanout-service", "HERALD_FANOUT_INTERNAL_PORT");

    /** Where the instance's image healthcheck looks: its management port where it has one, else its HTTP port. */
    private static URI readiness(Instance instance) {
        String port = instance.ports().keySet().stream()
                .filter(p -> p.contains("MANAGEMENT"))
                .findFirst()
                .orElse(HTTP_PORT.get(instance.service()));
        return instance.url(port).resolve("/actuator/health/readiness");
    }

    /** A compose value with its variables filled from {@link #given} and the compose hosts pointed here. */
    private String resolve(String value) {
        Matcher variable = VARIABLE.matcher(value);
        var resolved = new StringBuilder();
        while (variable.find()) {
            String name = variable.group(1);
            String fallback = "-".equals(variable.group(2)) ? variable.group(3) : "";
            if ("?".equals(variable.group(2)) && !given.containsKey(name)) {
                throw new IllegalArgumentException("compose requires " + name + ": " + variable.group(3));
            }
            variable.appendReplacement(resolved, Matcher.quoteReplacement(given.getOrDefault(name, fallback)));
        }
        variable.appendTail(resolved);
        return resolved.toString()
                .replace("kafka:9092", kafka.bootstrapServers())
                .replace("postgres:5432", "127.0.0.1:" + postgres.port())
                .replace("token-service:8081", hostOf("token-service-0", "HERALD_TOKEN_PORT"))
                .replace("dispatch-service:8082", hostOf("dispatch-service-0", "HERALD_DISPATCH_PORT"))
                .replace("ws-fanout-service:8084", hostOf("ws-fanout-service-0", "HERALD_FANOUT_INTERNAL_PORT"));
    }

    private String hostOf(String instance, String portVariable) {
        Instance running = instances.get(instance);
        return running == null
                ? "unstarted-" + instance
                : "127.0.0.1:" + running.ports().get(portVariable);
    }

    /** Three quarters of a compose memory limit such as {@code 768m}, as {@code -XX:MaxRAMPercentage=75} takes. */
    private static String heapOf(String memLimit) {
        long megabytes = Long.parseLong(memLimit.replaceAll("[^0-9]", ""));
        if (memLimit.toLowerCase().endsWith("g")) {
            megabytes *= 1024;
        }
        return (megabytes * 3 / 4) + "m";
    }

    /** The JVM options of the service's Dockerfile ENTRYPOINT, but for the heap percentage (given as -Xmx here). */
    private static List<String> imageJvmOptions(String service) throws IOException {
        String entrypoint = Files.readAllLines(ROOT.resolve(service).resolve("Dockerfile")).stream()
                .filter(l -> l.startsWith("ENTRYPOINT"))
                .findFirst()
                .orElseThrow();
        List<String> words = new ArrayList<>();
        Matcher quoted = Pattern.compile("\"([^\"]*)\"").matcher(entrypoint);
        while (quoted.find()) {
            words.add(quoted.group(1));
        }
        return words.subList(1, words.indexOf("-jar")).stream()
                .filter(o -> !o.startsWith("-XX:MaxRAMPercentage"))
                .toList();
    }

    private static Path executableJar(String service) throws IOException {
        try (var jars = Files.list(ROOT.resolve(service).resolve("target"))) {
            return jars.filter(p -> p.getFileName().toString().endsWith("-exec.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(
                            "no executable jar of " + service + ": build it first (./mvnw package)"));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        return (Map<String, Map<String, Object>>) file.get("services");
    }

    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Instance instance : instances.values()) {
            instance.process().destroy();
        }
        for (Instance instance : instances.values()) {
            try {
                if (!instance.process().waitFor(20, TimeUnit.SECONDS)) {
                    instance.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        instances.clear();
        postgres.close();
        kafka.close();
    }
}
