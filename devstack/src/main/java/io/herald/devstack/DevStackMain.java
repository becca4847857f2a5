package io.herald.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./herald-dev}: runs the whole of Herald locally until Ctrl-C, then prints where everything
 * listens and how to authenticate. Ports come from {@code HERALD_DEV_*_PORT} environment variables.
 *
 * <p>Writes {@code .devstack/env} (git-ignored) with the run's API key and URLs, so a shell can {@code
 * source} it. PostgreSQL keeps its data in {@code .devstack/postgres} across runs.
 */
public final class DevStackMain {

    private DevStackMain() {}

    public static void main(String[] args) throws InterruptedException, IOException {
        Path home = Path.of(env("HERALD_DEV_HOME", ".devstack"));
        Files.createDirectories(home);
        var ports = new DevStack.Ports(
                port("HERALD_DEV_KAFKA_PORT", 9092),
                port("HERALD_DEV_POSTGRES_PORT", 5433),
                home.resolve("postgres").toAbsolutePath(),
                port("HERALD_DEV_FCM_PORT", 9099),
                port("HERALD_DEV_EXPO_PORT", 9098),
                port("HERALD_DEV_APNS_PORT", 9097),
                port("HERALD_DEV_DASHBOARD_PORT", 8088),
                port("HERALD_DEV_GATEWAY_PORT", 8080),
                port("HERALD_DEV_TOKEN_PORT", 8081),
                port("HERALD_DEV_DISPATCH_PORT", 8082),
                port("HERALD_DEV_FANOUT_PORT", 8083),
                port("HERALD_DEV_FANOUT_INTERNAL_PORT", 8084),
                port("HERALD_DEV_GATEWAY_MANAGEMENT_PORT", 8085));
        DevStack stack = DevStack.start(ports);
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("\nherald dev stack: stopping");
                            stack.close();
                            stopped.countDown();
                        },
                        "herald-devstack-shutdown"));

        Path envFile = home.resolve("env");
        Files.writeString(envFile, """
                HERALD_GATEWAY=%s
                HERALD_API_KEY=%s
                HERALD_FCM_EMULATOR=%s
                HERALD_EXPO_EMULATOR=%s
                HERALD_KAFKA=%s
                HERALD_DASHBOARD=%s
                HERALD_INTERNAL_SECRET=%s
                """.formatted(
                        stack.gatewayUrl(),
                        stack.apiKey(),
                        stack.fcm().baseUrl(),
                        stack.expo().baseUrl(),
                        stack.kafkaBootstrapServers(),
                        stack.dashboardUrl(),
                        stack.internalSecret()));
        try {
            Files.setPosixFilePermissions(envFile, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the file keeps the default permissions.
        }
        System.out.println(banner(stack, envFile));
        stopped.await();
    }

    private static String banner(DevStack stack, Path envFile) {
        var out = new StringBuilder("\n==== Herald dev stack is up (Ctrl-C stops it) ====\n");
        out.append("  Open the dashboard: ").append(stack.dashboardUrl()).append("\n\n");
        stack.urls().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.append(String.format("  %-18s %s%n", e.getKey(), e.getValue())));
        out.append("""

                  API key (app "%s", every event type):  %s
                  It and the URLs are in %s:  source %s

                  A dev JWT for user alice:
                    curl -s -X POST %s/dev/token -H 'Content-Type: application/json' -d '{"userId":"alice"}'
                  What the FCM emulator received:
                    curl -s %s/emulator/messages
                ==================================================
                """.formatted(
                        DevStack.APP_NAME,
                        stack.apiKey(),
                        envFile,
                        envFile,
                        stack.gatewayUrl(),
                        stack.fcm().baseUrl()));
        return out.toString();
    }

    private static int port(String variable, int fallback) {
        return Integer.parseInt(env(variable, Integer.toString(fallback)));
    }

    private static String env(String variable, String fallback) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? fallback : value;
    }
}
