package io.herald.testkit.expo;

import io.herald.events.HeraldJson;
import io.herald.testkit.emulator.HttpEmulator;
import io.herald.testkit.script.Script;
import io.herald.testkit.script.ScriptRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * An emulator of Expo's push API: {@code POST /--/api/v2/push/send} (one message or an array of up to 100,
 * gzip accepted) answering a ticket per message as Expo does, and {@code POST /--/api/v2/push/getReceipts}, over
 * HTTP/1.1 ({@link #start(int, Transport) over TLS}, h2 or HTTP/1.1 by ALPN under a certificate authority of its own).
 * It records what it accepted, each message whole (its {@code richContent}, {@code categoryId}, {@code
 * _contentAvailable} … as sent), and refuses what Expo refuses ({@code ExpoMessageRules}): a field of the wrong type
 * fails the request ({@code 400 VALIDATION_ERROR}), a message over 4096 bytes gets a {@code MessageTooBig} ticket.
 * Tests script it per token or per request ({@link #script()}): ok or error
 * tickets, 429 with {@code Retry-After}, 503, hang, an outage; {@link #unregister} a token (its ticket is a
 * {@code DeviceNotRegistered} error), {@link #unregisterLater} one (ok ticket, {@code DeviceNotRegistered}
 * receipt), {@link #throttleNext} requests, {@link #requireAccessToken}.
 * {@code POST /emulator/script} does the same over HTTP (answers {@code succeed|ticket-error|throttle|unavailable|
 * hang|down|unregister-later}; with a token the answer is for that token's messages, without one for whole
 * requests; {@code unregister-later} gives the token {@code ok} tickets whose receipts say {@code
 * DeviceNotRegistered}; {@code DELETE} forgets every script and those tokens); {@code GET /emulator/messages} lists
 * the messages it received and {@code DELETE /emulator/messages} forgets them. Thread-safe.
 */
public final class ExpoEmulator extends HttpEmulator<ExpoEmulator.Received, ExpoAnswer> {

    /** One message the emulator accepted. */
    public record Received(JsonNode message, @Nullable String accessToken, boolean gzipped, Instant receivedAt) {}

    /** The ticket errors Expo documents. */
    private static final List<String> TICKET_ERRORS = List.of(
            "DeviceNotRegistered", "MessageTooBig", "MessageRateExceeded", "MismatchSenderId", "InvalidCredentials");

    private final Set<String> unregisteredLater = ConcurrentHashMap.newKeySet();
    private final Map<String, String> ticketTokens = new ConcurrentHashMap<>();
    private final List<Integer> sendRequestSizes = new ArrayList<>();
    private volatile @Nullable String accessToken;

    private ExpoEmulator(int port, Transport transport) {
        // Jetty's default pool (200 threads at most, 8 idle); HTTP/1.1 alone in cleartext, as Expo's API speaks it
        // to a client that does not ask for more.
        super(new Settings("expo-emulator", port, transport, 200, 8, false, "application/json; charset=utf-8"));
    }

    /** On a free port, in cleartext. */
    public static ExpoEmulator start() {
        return start(0);
    }

    /** On the given port ({@code 0}: any free one), in cleartext. */
    public static ExpoEmulator start(int port) {
        return start(port, Transport.CLEARTEXT);
    }

    /**
     * On the given port ({@code 0}: any free one); over {@link Transport#TLS} it first makes its certificate
     * authority, which needs {@code openssl} on the {@code PATH}.
     */
    public static ExpoEmulator start(int port, Transport transport) {
        return started(new ExpoEmulator(port, transport));
    }

    /** How many messages each send request carried, in order. */
    public List<Integer> sendRequestSizes() {
        synchronized (sendRequestSizes) {
            return List.copyOf(sendRequestSizes);
        }
    }

    /** From now on, messages to {@code token} get a {@code DeviceNotRegistered} ticket. */
    public void unregister(String token) {
        script().forToken(token, Script.FOREVER, ExpoAnswer.ticketError("DeviceNotRegistered"));
    }

    /** From now on, messages to {@code token} get an {@code ok} ticket whose receipt says {@code DeviceNotRegistered}. */
    public void unregisterLater(String token) {
        unregisteredLater.add(token);
    }

    /** The next {@code requests} requests answer 429 with {@code Retry-After: 1}. */
    public void throttleNext(int requests) {
        script().everyRequest(requests, ExpoAnswer.throttle(Duration.ofSeconds(1)));
    }

    /** Requires {@code Authorization: Bearer <token>} (Expo's enhanced security); null: no token needed. */
    public void requireAccessToken(@Nullable String token) {
        this.accessToken = token;
    }

    @Override
    protected void handleApi(Request request, Response response, Callback callback) throws IOException {
        String path = Request.getPathInContext(request);
        if (!path.equals("/--/api/v2/push/send") && !path.equals("/--/api/v2/push/getReceipts")) {
            reply(response, callback, 404, errors("NOT_FOUND", "Not found"));
            return;
        }
        // Read the whole body before any answer, so that an early answer leaves the connection reusable.
        byte[] bytes;
        try (InputStream raw = Content.Source.asInputStream(request)) {
            bytes = raw.readAllBytes();
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
        if (script().isDown()) {
            answerRequest(new ExpoAnswer.RequestError(503, "INTERNAL_SERVER_ERROR", null), response, callback);
            return;
        }
        ExpoAnswer forRequest = script().nextForRequest();
        if (forRequest instanceof ExpoAnswer.RequestError || forRequest instanceof ExpoAnswer.Hang) {
            answerRequest(forRequest, response, callback);
            return;
        }
        boolean gzipped = "gzip".equalsIgnoreCase(request.getHeaders().get(HttpHeader.CONTENT_ENCODING));
        JsonNode body;
        try (InputStream in =
                gzipped ? new GZIPInputStream(new ByteArrayInputStream(bytes)) : new ByteArrayInputStream(bytes)) {
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
        for (int i = 0; i < messages.size(); i++) {
            String invalid = ExpoMessageRules.invalid(messages.get(i), i);
            if (invalid != null) {
                reply(response, callback, 400, errors("VALIDATION_ERROR", invalid));
                return;
            }
        }
        synchronized (sendRequestSizes) {
            sendRequestSizes.add(messages.size());
        }
        List<ExpoAnswer> answers = new ArrayList<>();
        for (JsonNode message : messages) {
            ExpoAnswer answer = script().nextForToken(message.path("to").asString(""));
            if (answer instanceof ExpoAnswer.RequestError || answer instanceof ExpoAnswer.Hang) {
                answerRequest(answer, response, callback);
                return;
            }
            answers.add(answer == null ? forRequest : answer);
        }
        List<Map<String, Object>> tickets = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String to = message.path("to").asString("");
            if (!to.matches("^Expo(nent)?PushToken\\[.+]$")) {
                tickets.add(Map.of(
                        "status",
                        "error",
                        "message",
                        "\"" + to + "\" is not a valid Expo push token",
                        "details",
                        Map.of("error", "DeviceNotRegistered")));
            } else if (ExpoMessageRules.tooBig(message)) {
                tickets.add(Map.of(
                        "status",
                        "error",
                        "message",
                        ticketMessage("MessageTooBig", to),
                        "details",
                        Map.of("error", "MessageTooBig")));
            } else if (answers.get(i) instanceof ExpoAnswer.TicketError(String error)) {
                tickets.add(Map.of(
                        "status",
                        "error",
                        "message",
                        ticketMessage(error, to),
                        "details",
                        "DeviceNotRegistered".equals(error)
                                ? Map.of("error", error, "expoPushToken", to)
                                : Map.of("error", error)));
            } else {
                String id = UUID.randomUUID().toString();
                ticketTokens.put(id, to);
                record(new Received(message, bearer, gzipped, Instant.now()));
                tickets.add(Map.of("status", "ok", "id", id));
            }
        }
        reply(response, callback, 200, HeraldJson.mapper().writeValueAsString(Map.of("data", tickets)));
    }

    @Override
    protected Object listed(Received received) {
        return received.message();
    }

    @Override
    protected void scripted(ScriptRequest asked) {
        if (!asked.answer().equals("unregister-later")) {
            super.scripted(asked);
            return;
        }
        String token = asked.token();
        if (token == null) {
            throw new IllegalArgumentException("unregister-later needs a token");
        }
        unregisterLater(token);
    }

    @Override
    protected void forgetScripts() {
        super.forgetScripts();
        unregisteredLater.clear();
    }

    @Override
    protected String scriptError(String message) {
        return errors("VALIDATION_ERROR", message);
    }

    @Override
    protected ExpoAnswer answerOf(ScriptRequest asked) {
        return switch (asked.answer()) {
            case "succeed" -> ExpoAnswer.succeed();
            case "ticket-error" -> {
                if (!TICKET_ERRORS.contains(asked.errorOrEmpty())) {
                    throw new IllegalArgumentException("error must be one of " + TICKET_ERRORS);
                }
                if (asked.token() == null) {
                    throw new IllegalArgumentException("a ticket error is for a token's messages: give a token");
                }
                yield ExpoAnswer.ticketError(asked.errorOrEmpty());
            }
            case "throttle" -> ExpoAnswer.throttle(asked.seconds());
            case "unavailable" -> ExpoAnswer.unavailable();
            case "hang" -> ExpoAnswer.hang(asked.seconds());
            default -> throw asked.unknown();
        };
    }

    private static String ticketMessage(String error, String to) {
        return switch (error) {
            case "DeviceNotRegistered" -> "\"" + to + "\" is not a registered push notification recipient";
            case "MessageTooBig" -> "Message too big: the total notification payload was too large";
            case "MessageRateExceeded" -> "Message rate exceeded: the device is receiving too many messages";
            case "MismatchSenderId" -> "Mismatched sender id: the FCM server key belongs to another project";
            case "InvalidCredentials" -> "The push credentials for your standalone app are invalid";
            default -> error;
        };
    }

    private void answerRequest(ExpoAnswer answer, Response response, Callback callback) {
        switch (answer) {
            case ExpoAnswer.RequestError error -> {
                Duration retryAfter = error.retryAfter();
                if (retryAfter != null) {
                    retryAfter(response, retryAfter);
                }
                reply(response, callback, error.status(), errors(error.code(), "Expo answered " + error.status()));
            }
            case ExpoAnswer.Hang hang ->
                script().later(
                                hang.duration(),
                                () -> reply(response, callback, 503, errors("INTERNAL_SERVER_ERROR", "timed out")));
            default -> throw new IllegalArgumentException("not a request-level answer: " + answer);
        }
    }

    private static String errors(String code, String message) {
        return HeraldJson.mapper()
                .writeValueAsString(Map.of("errors", List.of(Map.of("code", code, "message", message))));
    }
}
