package io.herald.testkit.fcm;

import io.herald.events.HeraldJson;
import io.herald.testkit.emulator.HttpEmulator;
import io.herald.testkit.script.Script;
import io.herald.testkit.script.ScriptRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * An emulator of Firebase Cloud Messaging's HTTP v1 API: {@code POST /v1/projects/{project}/messages:send},
 * answering as FCM does (the {@code name} of the message on success; Google's error body with an {@code
 * FcmError} detail otherwise). In cleartext it speaks HTTP/1.1 and HTTP/2 without TLS (h2c, as the firebase-admin
 * SDK's HTTP/2 transport speaks to it); {@link #start(int, Transport) over TLS}, h2 or HTTP/1.1 by ALPN under a
 * certificate authority of its own ({@link #trustedCertificate()}). It records every message it accepted.
 *
 * <p>It refuses what FCM refuses, with FCM's {@code 400 INVALID_ARGUMENT} body: a data value that is not a string,
 * and the rich-field rules of {@code FcmMessageRules} (a reserved data key, an image URL that is not https, a
 * payload over 4096 bytes).
 *
 * <p>Tests script it, per token or for every request ({@link #script()}): succeed, fail with any {@link
 * FcmError} and its documented body, 429 with {@code Retry-After}, 503, hang, or go down for a while; {@link
 * #unregister}, {@link #failNext}, {@link #goDown} and {@link #comeBack} are shorthands. {@code POST
 * /emulator/script} does the same over HTTP (answers {@code succeed|fail|throttle|unavailable|hang|down}, with
 * {@code error} one of {@link FcmError}'s names). Humans inspect it: {@code GET /emulator/messages} lists what it
 * received ({@code project}, {@code message}, {@code receivedAt}) and {@code DELETE /emulator/messages} forgets it.
 * Thread-safe.
 */
public final class FcmEmulator extends HttpEmulator<FcmEmulator.Received, FcmAnswer> {

    private static final Pattern SEND = Pattern.compile("^/v1/projects/([^/]+)/messages:send$");

    /** One message the emulator accepted. */
    public record Received(String project, JsonNode message, Instant receivedAt) {}

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong messageIds =
            new AtomicLong(ThreadLocalRandom.current().nextLong() >>> 16);
    private volatile @Nullable String acceptedAccessToken;

    private FcmEmulator(int port, Transport transport) {
        super(new Settings("fcm-emulator", port, transport, 64, 4, true, "application/json; charset=UTF-8"));
    }

    /** Starts an emulator on a free port, in cleartext. */
    public static FcmEmulator start() {
        return start(0);
    }

    /** Starts an emulator on {@code port}, or a free port when it is {@code 0}, in cleartext (HTTP/1.1 and h2c). */
    public static FcmEmulator start(int port) {
        return start(port, Transport.CLEARTEXT);
    }

    /**
     * Starts an emulator on {@code port} ({@code 0}: a free one); over {@link Transport#TLS} it first makes its
     * certificate authority, which needs {@code openssl} on the {@code PATH}.
     */
    public static FcmEmulator start(int port, Transport transport) {
        return started(new FcmEmulator(port, transport));
    }

    /** How many send requests arrived, accepted or not. */
    public long requestCount() {
        return requests.get();
    }

    /** Requires {@code Authorization: Bearer <token>}; by default any non-empty bearer token is accepted. */
    public void acceptAccessToken(@Nullable String token) {
        this.acceptedAccessToken = token;
    }

    /** From now on, sends to {@code token} answer {@link FcmError#UNREGISTERED}, as for an uninstalled app. */
    public void unregister(String token) {
        script().forToken(token, Script.FOREVER, FcmAnswer.fail(FcmError.UNREGISTERED));
    }

    /** The next {@code count} send requests answer {@code error}. */
    public void failNext(int count, FcmError error) {
        script().everyRequest(count, FcmAnswer.fail(error));
    }

    @Override
    protected void handleApi(Request request, Response response, Callback callback) {
        Matcher send = SEND.matcher(Request.getPathInContext(request));
        if (!send.matches() || !HttpMethod.POST.is(request.getMethod())) {
            reply(response, callback, 404, error(404, "NOT_FOUND", "The requested URL was not found.", null));
            return;
        }
        requests.incrementAndGet();
        // Read the whole body before any answer, so that an early answer leaves the connection reusable.
        String raw;
        try {
            raw = Content.Source.asString(request, StandardCharsets.UTF_8);
        } catch (IOException e) {
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
        if (script().isDown()) {
            fail(response, callback, FcmError.UNAVAILABLE, Duration.ofSeconds(1));
            return;
        }
        if (answered(script().nextForRequest(), response, callback)) {
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
        FcmMessageRules.Violation violation = FcmMessageRules.check(message);
        if (violation != null) {
            reply(response, callback, 400, invalid(violation));
            return;
        }
        if (answered(script().nextForToken(message.path("token").asString(null)), response, callback)) {
            return;
        }
        String project = send.group(1);
        if (!body.path("validate_only").asBoolean(false)) {
            record(new Received(project, message, Instant.now()));
        }
        // Shaped like FCM's message ids ("0:<microseconds>%<hex>"), unique per emulator, without SecureRandom.
        String name = "projects/" + project + "/messages/0:" + (System.currentTimeMillis() * 1000) + "%"
                + Long.toHexString(messageIds.incrementAndGet());
        reply(response, callback, 200, "{\"name\":\"" + name + "\"}");
    }

    @Override
    protected Object listed(Received received) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("project", received.project());
        item.put("message", received.message());
        item.put("receivedAt", received.receivedAt().toString());
        return item;
    }

    @Override
    protected FcmAnswer answerOf(ScriptRequest asked) {
        return switch (asked.answer()) {
            case "succeed" -> FcmAnswer.succeed();
            case "fail" -> FcmAnswer.fail(FcmError.valueOf(asked.errorOrEmpty()));
            case "throttle" -> FcmAnswer.throttle(asked.seconds());
            case "unavailable" -> FcmAnswer.unavailable();
            case "hang" -> FcmAnswer.hang(asked.seconds());
            default -> throw asked.unknown();
        };
    }

    @Override
    protected String scriptError(String message) {
        return error(400, "INVALID_ARGUMENT", message, null);
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
                script().later(hang.duration(), () -> fail(response, callback, FcmError.UNAVAILABLE, null));
                yield true;
            }
        };
    }

    private void fail(Response response, Callback callback, FcmError failure, @Nullable Duration retryAfter) {
        if (retryAfter != null) {
            retryAfter(response, retryAfter);
        }
        reply(
                response,
                callback,
                failure.httpStatus(),
                error(failure.httpStatus(), failure.rpcStatus(), failure.message(), failure.errorCode()));
    }

    /**
     * FCM's answer to a message that breaks a rule: Google's error body with a {@code BadRequest} detail naming
     * the field and the {@code FcmError} detail {@code INVALID_ARGUMENT}.
     */
    static String invalid(FcmMessageRules.Violation violation) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", 400);
        error.put("message", violation.message());
        error.put("status", "INVALID_ARGUMENT");
        error.put(
                "details",
                List.of(
                        Map.of(
                                "@type",
                                "type.googleapis.com/google.rpc.BadRequest",
                                "fieldViolations",
                                List.of(Map.of("field", violation.field(), "description", violation.message()))),
                        Map.of(
                                "@type",
                                "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                                "errorCode",
                                "INVALID_ARGUMENT")));
        return HeraldJson.mapper().writeValueAsString(Map.of("error", error));
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
}
