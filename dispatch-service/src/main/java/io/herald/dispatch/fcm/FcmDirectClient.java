package io.herald.dispatch.fcm;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.messaging.Message;
import io.herald.dispatch.delivery.SendOutcome;
import io.herald.events.HeraldJson;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * FCM HTTP v1 {@code messages:send} over Herald's own HTTP/2 client ({@link Http2Origin}, on Netty): no thread
 * waits for an answer, so thousands of sends can be in flight, and a send costs little more than its frames.
 * The SDK still supplies the credentials (and refreshes the access token) and the message model, written as the
 * SDK writes it ({@link FcmJson}). Errors are read from the documented error body.
 */
final class FcmDirectClient implements AutoCloseable {

    private final Http2Origin http;
    private final AsciiString sendPath;
    private final GoogleCredentials credentials;
    private @Nullable AccessToken lastToken;
    private AsciiString authorization = AsciiString.EMPTY_STRING;

    FcmDirectClient(URI baseUrl, String projectId, GoogleCredentials credentials, int connections, Duration timeout) {
        // As the SDK sends it: the error format with an FcmError detail naming FCM's own error code.
        this.http = new Http2Origin(
                baseUrl,
                connections,
                timeout,
                Map.of(AsciiString.cached("x-goog-api-format-version"), AsciiString.cached("2")));
        this.sendPath = AsciiString.cached("/v1/projects/" + projectId + "/messages:send");
        this.credentials = credentials;
    }

    /**
     * Sends {@code message}; never blocks. The future never completes exceptionally.
     *
     * @throws RuntimeException when the message cannot be written as JSON (a bug or data FCM cannot take: the
     *     caller dead-letters it rather than retrying)
     */
    CompletableFuture<SendOutcome> send(Message message) {
        byte[] body = FcmJson.body(message);
        CharSequence bearer;
        try {
            bearer = authorization();
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(
                    new SendOutcome.Failed("AUTH", "no access token: " + e.getMessage(), null));
        }
        return http.postJson(sendPath, bearer, body)
                .handle((response, failure) -> failure == null
                        ? outcome(response.status(), response.body(), response.retryAfter())
                        : new SendOutcome.Failed("IO", String.valueOf(failure.getMessage()), null));
    }

    /** {@code Bearer <token>}, the current access token (refreshed by the credentials when it expires). */
    @SuppressWarnings("ReferenceEquality") // the credentials hand out a new object for a new token
    private synchronized CharSequence authorization() throws IOException {
        credentials.refreshIfExpired();
        AccessToken token = credentials.getAccessToken();
        if (token == null) {
            throw new IOException("the credentials gave no access token");
        }
        if (token != lastToken) {
            lastToken = token;
            authorization = new AsciiString("Bearer " + token.getTokenValue());
        }
        return authorization;
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
