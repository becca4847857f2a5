package io.herald.token;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.herald.events.HeraldJson;
import io.herald.events.InAppNotification;
import io.herald.events.PushDelivery;
import io.herald.spring.web.InternalApiProperties;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Real HTTP servers on loopback answering as dispatch-service ({@code GET /internal/v1/deliveries}) and
 * ws-fanout-service ({@code GET /internal/v1/inbox/by-event}, {@code GET /internal/v1/inbox/history/{userId}}) do
 * by their contract (issue #26), from rows the test gives them: what those services would have recorded. Each can
 * be made slow (it answers only when released) or down (it answers 500); a call without the internal secret is
 * answered 401.
 */
public final class ServiceStubs implements AutoCloseable {

    /** How a stub answers. */
    public enum Mode {
        UP,
        SLOW,
        DOWN
    }

    /** A row of dispatch-service's record of sends. */
    public record Push(
            UUID eventId,
            @Nullable UUID notificationId,
            UUID deliveryId,
            String userId,
            String provider,
            String outcome,
            @Nullable String reason,
            int attempt,
            Instant recordedAt) {}

    /** A row of the inbox. */
    public record Stored(
            UUID eventId,
            UUID notificationId,
            String source,
            String userId,
            String type,
            String title,
            String body,
            Instant occurredAt,
            Instant createdAt,
            @Nullable Instant readAt) {}

    /** One request a stub got. */
    public record Asked(
            String service, String rawPath, @Nullable String rawQuery) {}

    private static final Comparator<UUID> AS_POSTGRES = Comparator.comparing(
                    UUID::getMostSignificantBits, Long::compareUnsigned)
            .thenComparing(UUID::getLeastSignificantBits, Long::compareUnsigned);

    public final List<Push> pushes = new CopyOnWriteArrayList<>();
    public final List<Stored> inbox = new CopyOnWriteArrayList<>();
    public final List<Asked> asked = new CopyOnWriteArrayList<>();
    public volatile Mode dispatch = Mode.UP;
    public volatile Mode fanout = Mode.UP;
    private volatile CountDownLatch release = new CountDownLatch(1);
    private final HttpServer dispatchServer;
    private final HttpServer fanoutServer;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    private ServiceStubs() throws IOException {
        dispatchServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        dispatchServer.setExecutor(executor);
        dispatchServer.createContext("/internal/v1/deliveries", e -> handle(e, "dispatch"));
        dispatchServer.start();
        fanoutServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        fanoutServer.setExecutor(executor);
        fanoutServer.createContext("/internal/v1/inbox/", e -> handle(e, "fanout"));
        fanoutServer.start();
    }

    public static ServiceStubs start() {
        try {
            return new ServiceStubs();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Points token-service's {@code herald.token.log.*} at the stubs. */
    public void register(DynamicPropertyRegistry registry) {
        registry.add(
                "herald.token.log.dispatch-url",
                () -> "http://127.0.0.1:" + dispatchServer.getAddress().getPort());
        registry.add(
                "herald.token.log.ws-fanout-url",
                () -> "http://127.0.0.1:" + fanoutServer.getAddress().getPort());
    }

    /** Both stubs answering again; the slow requests waiting are let go. */
    public void reset() {
        dispatch = Mode.UP;
        fanout = Mode.UP;
        release.countDown();
        release = new CountDownLatch(1);
    }

    /** What dispatch-service records of a push it took: its attempt's outcome. */
    public Push sent(PushDelivery p, String outcome, @Nullable String reason, Instant at) {
        var push = new Push(
                p.eventId(),
                p.notificationId(),
                p.deliveryId(),
                p.userId(),
                p.provider().name().toLowerCase(Locale.ROOT),
                outcome,
                reason,
                1,
                at);
        pushes.add(push);
        return push;
    }

    /** What the inbox stores of an in-app notification. */
    public Stored stored(InAppNotification n, Instant createdAt, @Nullable Instant readAt) {
        var row = new Stored(
                n.eventId(),
                n.notificationId(),
                n.source(),
                n.userId(),
                n.type(),
                n.title(),
                n.body(),
                n.occurredAt(),
                createdAt,
                readAt);
        inbox.add(row);
        return row;
    }

    private void handle(HttpExchange exchange, String service) throws IOException {
        String rawPath = exchange.getRequestURI().getRawPath();
        String rawQuery = exchange.getRequestURI().getRawQuery();
        asked.add(new Asked(service, rawPath, rawQuery));
        try (exchange) {
            if (!ServiceInfrastructureSecret.matches(
                    exchange.getRequestHeaders().getFirst(InternalApiProperties.HEADER))) {
                respond(exchange, 401, Map.of("status", 401));
                return;
            }
            Mode mode = "dispatch".equals(service) ? dispatch : fanout;
            if (mode == Mode.SLOW) {
                CountDownLatch latch = release;
                try {
                    latch.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (mode == Mode.DOWN) {
                respond(exchange, 500, Map.of("status", 500));
                return;
            }
            Map<String, List<String>> query = query(rawQuery);
            List<UUID> ids = query.getOrDefault("eventId", List.of()).stream()
                    .map(UUID::fromString)
                    .toList();
            if ("dispatch".equals(service)) {
                respond(
                        exchange,
                        200,
                        Map.of(
                                "deliveries",
                                pushes.stream()
                                        .filter(p -> ids.contains(p.eventId()))
                                        .toList()));
            } else if (rawPath.equals("/internal/v1/inbox/by-event")) {
                respond(
                        exchange,
                        200,
                        Map.of(
                                "notifications",
                                inbox.stream()
                                        .filter(n -> ids.contains(n.eventId()))
                                        .toList()));
            } else if (rawPath.startsWith("/internal/v1/inbox/history/")) {
                String user = URLDecoder.decode(
                        rawPath.substring("/internal/v1/inbox/history/".length()), StandardCharsets.UTF_8);
                String source = query.get("source").getFirst();
                int limit = Integer.parseInt(query.get("limit").getFirst());
                Instant beforeAt = query.containsKey("beforeAt")
                        ? Instant.parse(query.get("beforeAt").getFirst())
                        : null;
                UUID beforeId = query.containsKey("beforeId")
                        ? UUID.fromString(query.get("beforeId").getFirst())
                        : null;
                Comparator<Stored> newestFirst = Comparator.comparing(Stored::createdAt)
                        .thenComparing(Stored::notificationId, AS_POSTGRES)
                        .reversed();
                List<Stored> page = inbox.stream()
                        .filter(n -> n.userId().equals(user) && n.source().equals(source))
                        .filter(n -> beforeAt == null
                                || n.createdAt().isBefore(beforeAt)
                                || (n.createdAt().equals(beforeAt)
                                        && AS_POSTGRES.compare(n.notificationId(), beforeId) < 0))
                        .sorted(newestFirst)
                        .limit(limit)
                        .toList();
                respond(exchange, 200, Map.of("notifications", page));
            } else {
                respond(exchange, 404, Map.of("status", 404));
            }
        }
    }

    private static Map<String, List<String>> query(@Nullable String rawQuery) {
        Map<String, List<String>> params = new HashMap<>();
        if (rawQuery == null) {
            return params;
        }
        for (String pair : rawQuery.split("&", -1)) {
            int eq = pair.indexOf('=');
            params.computeIfAbsent(
                            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), k -> new ArrayList<>())
                    .add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = HeraldJson.mapper().writeValueAsBytes(new LinkedHashMap<>((Map<?, ?>) body));
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        release.countDown();
        dispatchServer.stop(0);
        fanoutServer.stop(0);
        executor.shutdownNow();
    }

    private static final class ServiceInfrastructureSecret {
        static boolean matches(@Nullable String token) {
            return TokenServiceClient.INTERNAL_SECRET.equals(token);
        }
    }
}
