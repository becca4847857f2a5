package io.herald.testkit.expo;

import io.herald.events.HeraldJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * An emulator of Expo's push API: {@code POST /--/api/v2/push/send} (one message or an array of up to 100,
 * gzip accepted) answering a ticket per message as Expo does, and {@code POST /--/api/v2/push/getReceipts}.
 * It records what it accepted; tests script it: {@link #unregister} a token (its ticket is a {@code
 * DeviceNotRegistered} error), {@link #unregisterLater} one (ok ticket, {@code DeviceNotRegistered} receipt),
 * {@link #throttleNext} requests (429 {@code TOO_MANY_REQUESTS} with {@code Retry-After}), {@link #requireAccessToken}.
 * {@code GET /emulator/messages} lists what it received. Thread-safe.
 */
public final class ExpoEmulator implements AutoCloseable {

    /** One message the emulator accepted. */
    public record Received(JsonNode message, @Nullable String accessToken, boolean gzipped, Instant receivedAt) {}

    private final Server server = new Server();
    private final List<Received> received = new ArrayList<>();
    private final Set<String> unregistered = ConcurrentHashMap.newKeySet();
    private final Set<String> unregisteredLater = ConcurrentHashMap.newKeySet();
    private final Map<String, String> ticketTokens = new ConcurrentHashMap<>();
    private final AtomicInteger throttled = new AtomicInteger();
    private volatile @Nullable String accessToken;

    private ExpoEmulator(int port) {
        var connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws IOException {
                ExpoEmulator.this.handle(request, response, callback);
                return true;
            }
        });
    }

    public static ExpoEmulator start() {
        var emulator = new ExpoEmulator(0);
        try {
            emulator.server.start();
        } catch (Exception e) {
            throw new IllegalStateException("the Expo emulator did not start", e);
        }
        return emulator;
    }

    /** {@code http://127.0.0.1:<port>}: what to configure as Expo's base URL. */
    public String baseUrl() {
        return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    public void unregister(String token) {
        unregistered.add(token);
    }

    public void unregisterLater(String token) {
        unregisteredLater.add(token);
    }

    public void throttleNext(int requests) {
        throttled.set(requests);
    }

    public void requireAccessToken(@Nullable String token) {
        this.accessToken = token;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(Request request, Response response, Callback callback) throws IOException {
        String path = Request.getPathInContext(request);
        if (path.equals("/emulator/messages")) {
            reply(
                    response,
                    callback,
                    200,
                    HeraldJson.mapper()
                            .writeValueAsString(
                                    received().stream().map(Received::message).toList()));
            return;
        }
        if (!path.equals("/--/api/v2/push/send") && !path.equals("/--/api/v2/push/getReceipts")) {
            reply(response, callback, 404, errors("NOT_FOUND", "Not found"));
            return;
        }
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String bearer =
                authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
        String required = accessToken;
        if (required != null && !required.equals(bearer)) {
            reply(
                    response,
                    callback,
                    401,
                    errors("UNAUTHORIZED", "The bearer token is invalid; provide a valid access token"));
            return;
        }
        if (throttled.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            reply(response, callback, 429, errors("TOO_MANY_REQUESTS", "Too many requests; retry later"));
            return;
        }
        boolean gzipped = "gzip".equalsIgnoreCase(request.getHeaders().get(HttpHeader.CONTENT_ENCODING));
        JsonNode body;
        try (InputStream raw = Content.Source.asInputStream(request);
                InputStream in = gzipped ? new GZIPInputStream(raw) : raw) {
            body = HeraldJson.mapper().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (RuntimeException | IOException e) {
            reply(response, callback, 400, errors("VALIDATION_ERROR", "The request body is not valid JSON"));
            return;
        }
        if (path.endsWith("getReceipts")) {
            Map<String, Object> receipts = new LinkedHashMap<>();
            body.path("ids").forEach(id -> {
                String token = ticketTokens.get(id.asString());
                if (token != null) {
                    receipts.put(
                            id.asString(),
                            unregisteredLater.contains(token)
                                    ? Map.of(
                                            "status",
                                            "error",
                                            "message",
                                            "\"" + token + "\" is not a registered push notification recipient",
                                            "details",
                                            Map.of("error", "DeviceNotRegistered"))
                                    : Map.of("status", "ok"));
                }
            });
            reply(response, callback, 200, HeraldJson.mapper().writeValueAsString(Map.of("data", receipts)));
            return;
        }
        List<JsonNode> messages = new ArrayList<>();
        if (body.isArray()) {
            body.forEach(messages::add);
        } else {
            messages.add(body);
        }
        if (messages.size() > 100) {
            reply(
                    response,
                    callback,
                    400,
                    errors(
                            "PUSH_TOO_MANY_NOTIFICATIONS",
                            "You are trying to send more than 100 push notifications in one request"));
            return;
        }
        List<Map<String, Object>> tickets = new ArrayList<>();
        for (JsonNode message : messages) {
            String to = message.path("to").asString("");
            if (!to.matches("^Expo(nent)?PushToken\\[.+]$")) {
                tickets.add(Map.of(
                        "status",
                        "error",
                        "message",
                        "\"" + to + "\" is not a valid Expo push token",
                        "details",
                        Map.of("error", "DeviceNotRegistered")));
            } else if (unregistered.contains(to)) {
                tickets.add(Map.of(
                        "status",
                        "error",
                        "message",
                        "\"" + to + "\" is not a registered push notification recipient",
                        "details",
                        Map.of("error", "DeviceNotRegistered", "expoPushToken", to)));
            } else {
                String id = UUID.randomUUID().toString();
                ticketTokens.put(id, to);
                synchronized (received) {
                    received.add(new Received(message, bearer, gzipped, Instant.now()));
                }
                tickets.add(Map.of("status", "ok", "id", id));
            }
        }
        reply(response, callback, 200, HeraldJson.mapper().writeValueAsString(Map.of("data", tickets)));
    }

    private static String errors(String code, String message) {
        return HeraldJson.mapper()
                .writeValueAsString(Map.of("errors", List.of(Map.of("code", code, "message", message))));
    }

    private static void reply(Response response, Callback callback, int status, String json) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        Content.Sink.write(response, true, json, callback);
    }
}
