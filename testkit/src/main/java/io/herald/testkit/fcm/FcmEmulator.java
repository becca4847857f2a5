package io.herald.testkit.fcm;

import io.herald.events.HeraldJson;
import io.herald.testkit.script.Script;
import io.herald.testkit.script.ScriptRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * An emulator of Firebase Cloud Messaging's HTTP v1 API: {@code POST /v1/projects/{project}/messages:send},
 * answering as FCM does (the {@code name} of the message on success; Google's error body with an {@code
 * FcmError} detail otherwise), over HTTP/1.1 and HTTP/2 without TLS (h2c, as the firebase-admin SDK's HTTP/2
 * transport speaks to it). It records every message it accepted.
 *
 * <p>Tests script it, per token or for every request ({@link #script()}): succeed, fail with any {@link
 * FcmError} and its documented body, 429 with {@code Retry-After}, 503, hang, or go down for a while; {@link
 * #unregister}, {@link #failNext}, {@link #goDown} and {@link #comeBack} are shorthands. {@code POST
 * /emulator/script} does the same over HTTP. Humans inspect it: {@code GET /emulator/messages} lists what it received and {@code
 * DELETE /emulator/messages} forgets it. Thread-safe.
 */
public final class FcmEmulator implements AutoCloseable {

    private static final Pattern SEND = Pattern.compile("^/v1/projects/([^/]+)/messages:send$");

    /** One message the emulator accepted. */
    public record Received(String project, JsonNode message, Instant receivedAt) {}

    private final Server server;
    private final List<Received> received = new ArrayList<>();
    private final Script<FcmAnswer> script = new Script<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong acceptedMessages = new AtomicLong();
    private final AtomicLong messageIds =
            new AtomicLong(ThreadLocalRandom.current().nextLong() >>> 16);
    private volatile @Nullable String acceptedAccessToken;
    private volatile boolean keepMessages = true;

    private FcmEmulator(int port) {
        var pool = new QueuedThreadPool(64, 4);
        pool.setName("fcm-emulator");
        this.server = new Server(pool);
        var config = new HttpConfiguration();
        config.setSendServerVersion(false);
        var h2c = new HTTP2CServerConnectionFactory(config);
        // Many sends in flight on one connection, as a load test needs.
        h2c.setMaxConcurrentStreams(1024);
        var connector = new ServerConnector(server, new HttpConnectionFactory(config), h2c);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                FcmEmulator.this.handle(request, response, callback);
                return true;
            }
        });
    }

    /** Starts an emulator on a free port. */
    public static FcmEmulator start() {
        return start(0);
    }

    /** Starts an emulator on {@code port}, or a free port when it is {@code 0}. */
    public static FcmEmulator start(int port) {
        var emulator = new FcmEmulator(port);
        try {
            emulator.server.start();
        } catch (Exception e) {
            throw new IllegalStateException("the FCM emulator did not start on port " + port, e);
        }
        return emulator;
    }

    /** The port it listens on, on 127.0.0.1. */
    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** {@code http://127.0.0.1:<port>}: what to configure as the FCM base URL. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Every message accepted so far, oldest first. */
    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** How many messages are kept since the last clear, without copying them. */
    public int receivedCount() {
        synchronized (received) {
            return received.size();
        }
    }

    /** How many send requests arrived, accepted or not. */
    public long requestCount() {
        return requests.get();
    }

    /** How many messages were accepted (kept or not). */
    public long acceptedCount() {
        return acceptedMessages.get();
    }

    /**
     * Whether accepted messages are kept for {@link #received()} (the default). A load test that sends millions
     * turns this off: the emulator still checks and answers every request as FCM does, and counts it, but does
     * not hold the messages in the heap it shares with what is measured.
     */
    public void keepMessages(boolean keep) {
        this.keepMessages = keep;
    }

    /** Forgets what was received. */
    public void clear() {
        synchronized (received) {
            received.clear();
        }
    }

    /** Requires {@code Authorization: Bearer <token>}; by default any non-empty bearer token is accepted. */
    public void acceptAccessToken(@Nullable String token) {
        this.acceptedAccessToken = token;
    }

    /** From now on, sends to {@code token} answer {@link FcmError#UNREGISTERED}, as for an uninstalled app. */
    public void unregister(String token) {
        script.forToken(token, Script.FOREVER, FcmAnswer.fail(FcmError.UNREGISTERED));
    }

    /** The next {@code count} send requests answer {@code error}. */
    public void failNext(int count, FcmError error) {
        script.everyRequest(count, FcmAnswer.fail(error));
    }

    /**
     * The scripted answers: {@code script().forToken(token, times, answer)} for one token, {@code
     * script().everyRequest(times, answer)} for all, {@code script().downFor(duration)} for an outage.
     */
    public Script<FcmAnswer> script() {
        return script;
    }

    /** Every send answers 503 {@code UNAVAILABLE} until {@link #comeBack()}. */
    public void goDown() {
        script.down();
    }

    /** Every send answers 503 {@code UNAVAILABLE} for {@code duration}, then the emulator is back by itself. */
    public void goDownFor(Duration duration) {
        script.downFor(duration);
    }

    public void comeBack() {
        script.up();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the FCM emulator did not stop", e);
        } finally {
            script.close();
        }
    }

    private void handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        if (path.equals("/emulator/messages")) {
            if (HttpMethod.DELETE.is(method)) {
                clear();
                reply(response, callback, 204, null);
            } else {
                List<Map<String, Object>> list = received().stream()
                        .map(r -> {
                            Map<String, Object> item = new LinkedHashMap<>();
                            item.put("project", r.project());
                            item.put("message", r.message());
                            item.put("receivedAt", r.receivedAt().toString());
                            return item;
                        })
                        .toList();
                reply(response, callback, 200, HeraldJson.mapper().writeValueAsString(list));
            }
            return;
        }
        if (path.equals("/emulator/script")) {
            scriptOverHttp(request, response, callback);
            return;
        }
        Matcher send = SEND.matcher(path);
        if (!send.matches() || !HttpMethod.POST.is(method)) {
            reply(response, callback, 404, error(404, "NOT_FOUND", "The requested URL was not found.", null));
            return;
        }
        requests.incrementAndGet();
        // Read the whole body before any answer, so that an early answer leaves the connection reusable.
        String raw;
        try {
            raw = Content.Source.asString(request, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            reply(response, callback, 400, error(400, "INVALID_ARGUMENT", "The request body could not be read.", null));
            return;
        }
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String token = authorization != null && authorization.startsWith("Bearer ")
                ? authorization.substring(7).trim()
                : "";
        String accepted = acceptedAccessToken;
        if (token.isEmpty() || (accepted != null && !accepted.equals(token))) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"https://accounts.google.com/\"");
            reply(
                    response,
                    callback,
                    401,
                    error(
                            401,
                            "UNAUTHENTICATED",
                            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie"
                                    + " or other valid authentication credential.",
                            null));
            return;
        }
        if (script.isDown()) {
            fail(response, callback, FcmError.UNAVAILABLE, Duration.ofSeconds(1));
            return;
        }
        if (answered(script.nextForRequest(), response, callback)) {
            return;
        }
        JsonNode body;
        try {
            body = HeraldJson.mapper().readTree(raw);
        } catch (JacksonException e) {
            reply(response, callback, 400, error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.", null));
            return;
        }
        JsonNode message = body.path("message");
        int targets = (message.hasNonNull("token") ? 1 : 0)
                + (message.hasNonNull("topic") ? 1 : 0)
                + (message.hasNonNull("condition") ? 1 : 0);
        if (!message.isObject() || targets != 1) {
            reply(
                    response,
                    callback,
                    400,
                    error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.", "INVALID_ARGUMENT"));
            return;
        }
        JsonNode data = message.path("data");
        if (data.isObject()) {
            for (var entry : data.properties()) {
                if (!entry.getValue().isString()) {
                    reply(
                            response,
                            callback,
                            400,
                            error(
                                    400,
                                    "INVALID_ARGUMENT",
                                    "Invalid value at 'message.data[0].value' (TYPE_STRING), " + entry.getValue(),
                                    "INVALID_ARGUMENT"));
                    return;
                }
            }
        }
        if (answered(script.nextForToken(message.path("token").asString(null)), response, callback)) {
            return;
        }
        String project = send.group(1);
        if (!body.path("validate_only").asBoolean(false)) {
            acceptedMessages.incrementAndGet();
            if (keepMessages) {
                synchronized (received) {
                    received.add(new Received(project, message, Instant.now()));
                }
            }
        }
        // Shaped like FCM's message ids ("0:<microseconds>%<hex>"), unique per emulator, without SecureRandom.
        String name = "projects/" + project + "/messages/0:" + (System.currentTimeMillis() * 1000) + "%"
                + Long.toHexString(messageIds.incrementAndGet());
        reply(response, callback, 200, "{\"name\":\"" + name + "\"}");
    }

    /** Answers as scripted, unless the script says succeed (or nothing): then the request goes on. */
    private boolean answered(@Nullable FcmAnswer answer, Response response, Callback callback) {
        return switch (answer) {
            case null -> false;
            case FcmAnswer.Succeed ignored -> false;
            case FcmAnswer.Fail fail -> {
                fail(response, callback, fail.error(), fail.retryAfter());
                yield true;
            }
            case FcmAnswer.Hang hang -> {
                script.later(hang.duration(), () -> fail(response, callback, FcmError.UNAVAILABLE, null));
                yield true;
            }
        };
    }

    /**
     * {@code POST /emulator/script} with {@code {"token": optional, "answer": "succeed|fail|throttle|unavailable|
     * hang|down", "error": "UNREGISTERED", "times": 1, "seconds": 5}}; {@code DELETE} forgets every script.
     */
    private void scriptOverHttp(Request request, Response response, Callback callback) {
        if (HttpMethod.DELETE.is(request.getMethod())) {
            script.clear();
            reply(response, callback, 204, null);
            return;
        }
        try {
            ScriptRequest.parse(Content.Source.asString(request, StandardCharsets.UTF_8))
                    .applyTo(script, asked -> switch (asked.answer()) {
                        case "succeed" -> FcmAnswer.succeed();
                        case "fail" -> FcmAnswer.fail(FcmError.valueOf(asked.errorOrEmpty()));
                        case "throttle" -> FcmAnswer.throttle(asked.seconds());
                        case "unavailable" -> FcmAnswer.unavailable();
                        case "hang" -> FcmAnswer.hang(asked.seconds());
                        default -> throw asked.unknown();
                    });
            reply(response, callback, 204, null);
        } catch (RuntimeException | java.io.IOException e) {
            reply(response, callback, 400, error(400, "INVALID_ARGUMENT", String.valueOf(e.getMessage()), null));
        }
    }

    private static void fail(Response response, Callback callback, FcmError failure, @Nullable Duration retryAfter) {
        if (retryAfter != null) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
        }
        reply(
                response,
                callback,
                failure.httpStatus(),
                error(failure.httpStatus(), failure.rpcStatus(), failure.message(), failure.errorCode()));
    }

    /** Google's error body; FCM adds an {@code FcmError} detail naming its own error code. */
    static String error(int code, String status, String message, @Nullable String fcmErrorCode) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.put("status", status);
        if (fcmErrorCode != null) {
            error.put(
                    "details",
                    List.of(Map.of(
                            "@type",
                            "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                            "errorCode",
                            fcmErrorCode)));
        }
        return HeraldJson.mapper().writeValueAsString(Map.of("error", error));
    }

    private static void reply(Response response, Callback callback, int status, @Nullable String json) {
        response.setStatus(status);
        if (json == null) {
            callback.succeeded();
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=UTF-8");
        Content.Sink.write(response, true, json, callback);
    }
}
