package io.herald.dispatch.fcm;

import com.google.firebase.messaging.Message;
import io.herald.dispatch.delivery.SendOutcome;
import io.herald.dispatch.fcm.http2.Http2Client;
import io.herald.events.HeraldJson;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * FCM HTTP v1 {@code messages:send} over Herald's own HTTP/2 client ({@link Http2Client}, on Netty): no thread
 * waits for an answer, so thousands of sends can be in flight, and a send costs little more than its frames.
 * firebase-admin still supplies the message model, written as the SDK writes it ({@link FcmJson}), and
 * ({@link FcmAuth}) the credentials that refresh the access token. Errors are read from the documented error body.
 */
final class FcmDirectClient implements FcmSender {

    private final Http2Client http;
    private final AsciiString sendPath;
    private final FcmAuth auth;

    /**
     * @param baseUrl where FCM's HTTP v1 API is ({@code https}: TLS with ALPN {@code h2}; {@code http}: h2c)
     * @param auth the {@code Authorization} of every request
     * @param trustedCertificates for an {@code https} base URL, a PEM file of the CAs to trust instead of the
     *     system's; {@code null} for the system's
     * @throws IllegalArgumentException when {@code baseUrl} is not {@code http} or {@code https}
     * @throws IllegalStateException when TLS cannot be set up (an unreadable CA file)
     */
    FcmDirectClient(
            URI baseUrl,
            String projectId,
            FcmAuth auth,
            int connections,
            Duration timeout,
            @Nullable Path trustedCertificates) {
        // As the SDK sends it: the error format with an FcmError detail naming FCM's own error code.
        this.http = new Http2Client(
                baseUrl,
                connections,
                timeout,
                Map.of(AsciiString.cached("x-goog-api-format-version"), AsciiString.cached("2")),
                trustedCertificates);
        this.sendPath = AsciiString.cached("/v1/projects/" + projectId + "/messages:send");
        this.auth = auth;
    }

    @Override
    public CompletableFuture<SendOutcome> send(Message message) {
        byte[] body = FcmJson.body(message);
        CharSequence bearer;
        try {
            bearer = auth.authorization();
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(
                    new SendOutcome.Failed("AUTH", "no access token: " + e.getMessage(), null));
        }
        return http.postJson(sendPath, bearer, body)
                .handle((response, failure) -> failure == null
                        ? outcome(response.status(), response.body(), response.retryAfter())
                        : new SendOutcome.Failed("IO", String.valueOf(failure.getMessage()), null));
    }

    /** What an FCM answer means. Pure. */
    static SendOutcome outcome(int status, @Nullable String body, @Nullable String retryAfter) {
        JsonNode json = null;
        if (body != null && !body.isBlank()) {
            try {
                json = HeraldJson.mapper().readTree(body);
            } catch (JacksonException notJson) {
                json = null;
            }
        }
        if (status == 200) {
            String name = json == null ? "" : json.path("name").asString("");
            return new SendOutcome.Accepted(name);
        }
        JsonNode error = json == null ? null : json.path("error");
        String rpcStatus = error != null && error.path("status").isString()
                ? error.path("status").asString()
                : FcmErrors.statusOf(status);
        String reason = error != null && error.path("message").isString()
                ? error.path("message").asString()
                : "HTTP " + status;
        String fcmCode = null;
        if (error != null) {
            for (JsonNode detail : error.path("details")) {
                if (detail.path("@type").asString("").endsWith("google.firebase.fcm.v1.FcmError")
                        && detail.path("errorCode").isString()) {
                    fcmCode = detail.path("errorCode").asString();
                }
            }
        }
        return FcmErrors.classify(fcmCode, rpcStatus, reason, FcmErrors.retryAfter(retryAfter));
    }

    @Override
    public void close() {
        http.close();
    }
}
