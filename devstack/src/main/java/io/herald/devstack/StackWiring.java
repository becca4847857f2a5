package io.herald.devstack;

import io.herald.testkit.PostgresServer;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What Herald's services run against on one machine — a Kafka broker, a PostgreSQL database, the internal credential,
 * the user-JWT secret and the push providers (the emulators) — and the properties the dev stack gives each service
 * for it ({@link #properties(HeraldService)}), loopback addresses included. {@link LocalServices} runs instances with
 * them in this JVM; a benchmark that runs a service in a JVM of its own passes them as {@code --key=value} arguments.
 * Immutable: each {@code with} method returns a new wiring.
 *
 * @param kafkaBootstrapServers the broker
 * @param database the database every service but the gateway keeps its schema in, or {@code null} for the gateway alone
 * @param internalSecret {@code herald.internal.secret} of every service
 * @param jwtSecret the HMAC secret of user JWTs, of the gateway and ws-fanout-service
 * @param providers dispatch-service's provider properties ({@code herald.dispatch.fcm.*}, {@code expo.*}, {@code apns.*})
 */
public record StackWiring(
        String kafkaBootstrapServers,
        PostgresServer.@Nullable Database database,
        String internalSecret,
        String jwtSecret,
        Map<String, String> providers) {

    public StackWiring {
        providers = Map.copyOf(providers);
    }

    /** Against {@code kafkaBootstrapServers} and {@code database}, with random secrets and no provider set yet. */
    public static StackWiring of(String kafkaBootstrapServers, PostgresServer.@Nullable Database database) {
        var random = new SecureRandom();
        return new StackWiring(
                kafkaBootstrapServers, database, randomToken(random, 32), randomToken(random, 48), Map.of());
    }

    /** The same, with these secrets. */
    public StackWiring withSecrets(String internalSecret, String jwtSecret) {
        return new StackWiring(kafkaBootstrapServers, database, internalSecret, jwtSecret, providers);
    }

    /** The same, with FCM at {@code baseUrl} (an emulator's) as project {@code projectId}. */
    public StackWiring withFcm(String baseUrl, String projectId) {
        return withProviders(Map.of(
                "herald.dispatch.fcm.base-url",
                baseUrl,
                "herald.dispatch.fcm.project-id",
                projectId,
                "herald.dispatch.fcm.access-token",
                "herald-emulator"));
    }

    /** The same, with Expo at {@code baseUrl} (an emulator's), or Expo off for {@code null}. */
    public StackWiring withExpo(@Nullable String baseUrl) {
        return withProviders(
                baseUrl == null
                        ? Map.of("herald.dispatch.expo.enabled", "false")
                        : Map.of("herald.dispatch.expo.base-url", baseUrl));
    }

    /** The same, with APNs as {@code dispatchProperties} say (an emulator's {@code dispatchProperties()}). */
    public StackWiring withApns(Map<String, String> dispatchProperties) {
        return withProviders(dispatchProperties);
    }

    private StackWiring withProviders(Map<String, String> more) {
        Map<String, String> all = new LinkedHashMap<>(providers);
        all.putAll(more);
        return new StackWiring(kafkaBootstrapServers, database, internalSecret, jwtSecret, all);
    }

    /**
     * The properties the dev stack runs {@code service} with against this wiring: every port free ({@code 0}) and on
     * {@link DevStack#LOOPBACK} alone, the broker, the internal credential; the database's coordinates for all but the
     * gateway; the JWT secret for the gateway and ws-fanout-service; the providers for dispatch-service. A caller's
     * own settings (fixed ports, API keys …) go over them.
     *
     * @throws IllegalStateException if {@code service} keeps data and this wiring has no database
     */
    public Map<String, String> properties(HeraldService service) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("server.port", "0");
        // Every HTTP port on loopback (ws-fanout's WebSocket follows server.address too).
        properties.put("server.address", DevStack.LOOPBACK);
        properties.put("spring.kafka.bootstrap-servers", kafkaBootstrapServers);
        // The internal APIs' credential, which token-service and ws-fanout-service require and the gateway sends.
        properties.put("herald.internal.secret", internalSecret);
        if (service.usesDatabase()) {
            if (database == null) {
                throw new IllegalStateException(service.serviceName() + " needs a database");
            }
            properties.put("spring.datasource.url", database.jdbcUrl());
            properties.put("spring.datasource.username", database.username());
            properties.put("spring.datasource.password", database.password());
        }
        switch (service) {
            case GATEWAY -> {
                properties.put("herald.gateway.jwt.hmac-secret", jwtSecret);
                // The actuator's port of its own, on loopback too.
                properties.put("management.server.port", "0");
                properties.put("management.server.address", DevStack.LOOPBACK);
            }
            case WS_FANOUT -> {
                properties.put("herald.fanout.jwt.hmac-secret", jwtSecret);
                // server.port is the node's internal API and actuator; the WebSocket has its own port.
                properties.put("herald.fanout.ws.port", "0");
            }
            case DISPATCH -> properties.putAll(providers);
            case TOKEN -> {}
        }
        return properties;
    }

    /** Without the secrets. */
    @Override
    public String toString() {
        return "StackWiring[kafka=" + kafkaBootstrapServers + ", database="
                + (database == null ? "none" : database.jdbcUrl()) + ", providers=" + providers + "]";
    }

    static String randomToken(SecureRandom random, int bytes) {
        byte[] buffer = new byte[bytes];
        random.nextBytes(buffer);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer);
    }
}
