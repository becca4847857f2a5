package io.herald.devstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.herald.events.HeraldJson;
import io.herald.testkit.apns.ApnsEmulator;
import io.herald.testkit.expo.ExpoEmulator;
import io.herald.testkit.fcm.FcmEmulator;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;

/**
 * The dev stack's dashboard: a page where a new user gets a dev JWT, registers emulated devices, publishes
 * each built-in event type with one click, sees the notification arrive over the WebSocket and in the inbox,
 * sees what the FCM, Expo and APNs emulators received, and follows the event's delivery log.
 *
 * <p>The page itself talks to the public APIs as any web app would: the gateway over HTTP (CORS lets this
 * origin in) and ws-fanout over a WebSocket. This server adds only what a real deployment has no API for:
 * {@code GET /api/config} (the URLs and the dev app's API key, for loopback only) and {@code GET
 * /api/emulators} (what each emulator received, newest first). It listens on 127.0.0.1 alone.
 */
final class Dashboard implements AutoCloseable {

    /** How many received messages per emulator {@code /api/emulators} lists. */
    static final int RECENT = 50;

    private static final Map<String, String> FILES = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/app.js", "app.js",
            "/style.css", "style.css");

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8");

    private final HttpServer server;
    private final DevStack stack;

    private Dashboard(HttpServer server, DevStack stack) {
        this.server = server;
        this.stack = stack;
    }

    static Dashboard start(int port, DevStack stack) {
        try {
            var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            var dashboard = new Dashboard(server, stack);
            server.createContext("/", dashboard::handle);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return dashboard;
        } catch (IOException e) {
            throw new IllegalStateException("the dashboard could not listen on port " + port, e);
        }
    }

    /** {@code http://127.0.0.1:<port>/}. */
    String url() {
        return origin() + "/";
    }

    /** {@code http://127.0.0.1:<port>}: the origin the gateway must allow. */
    String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "text/plain", "GET only".getBytes(StandardCharsets.UTF_8));
                return;
            }
            switch (path) {
                case "/api/config" -> sendJson(exchange, config());
                case "/api/emulators" -> sendJson(exchange, emulators());
                default -> {
                    String file = FILES.get(path);
                    if (file == null) {
                        send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
                        return;
                    }
                    String type = Objects.requireNonNull(TYPES.get(file.substring(file.lastIndexOf('.') + 1)));
                    send(exchange, 200, type, resource(file));
                }
            }
        } catch (RuntimeException e) {
            // One bad request must not take the page down; the browser shows the status.
            send(exchange, 500, "text/plain", String.valueOf(e).getBytes(StandardCharsets.UTF_8));
        }
    }

    private Map<String, Object> config() {
        var config = new LinkedHashMap<String, Object>();
        config.put("gatewayUrl", stack.gatewayUrl());
        config.put("webSocketUrl", stack.webSocketUrl());
        config.put("apiKey", stack.apiKey());
        config.put("appName", DevStack.APP_NAME);
        return config;
    }

    private Map<String, Object> emulators() {
        var all = new LinkedHashMap<String, Object>();
        all.put("fcm", fcm(stack.fcm()));
        all.put("expo", expo(stack.expo()));
        all.put("apns", apns(stack.apns()));
        return all;
    }

    /** One line per message, as the dashboard shows it. */
    record Seen(String token, String title, String body, Instant receivedAt) {}

    static List<Seen> fcm(FcmEmulator emulator) {
        return recent(emulator.received().stream()
                .map(r -> new Seen(
                        r.message().path("token").asString(""),
                        r.message().path("notification").path("title").asString(""),
                        r.message().path("notification").path("body").asString(""),
                        r.receivedAt()))
                .toList());
    }

    static List<Seen> expo(ExpoEmulator emulator) {
        return recent(emulator.received().stream()
                .map(r -> new Seen(
                        r.message().path("to").asString(""),
                        r.message().path("title").asString(""),
                        r.message().path("body").asString(""),
                        r.receivedAt()))
                .toList());
    }

    static List<Seen> apns(ApnsEmulator emulator) {
        return recent(emulator.received().stream()
                .map(r -> {
                    JsonNode alert = HeraldJson.mapper()
                            .readTree(r.payload())
                            .path("aps")
                            .path("alert");
                    return new Seen(
                            r.token(),
                            alert.path("title").asString(""),
                            alert.path("body").asString(""),
                            r.receivedAt());
                })
                .toList());
    }

    private static List<Seen> recent(List<Seen> seen) {
        return seen.stream()
                .sorted(Comparator.comparing(Seen::receivedAt).reversed())
                .limit(RECENT)
                .toList();
    }

    private static byte[] resource(String file) {
        try (InputStream in = Dashboard.class.getResourceAsStream("dashboard/" + file)) {
            if (in == null) {
                throw new IllegalStateException("dashboard/" + file + " is not on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sendJson(HttpExchange exchange, Object value) throws IOException {
        send(exchange, 200, "application/json", HeraldJson.mapper().writeValueAsBytes(value));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
