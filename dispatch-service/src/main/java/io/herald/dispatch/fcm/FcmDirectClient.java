package io.herald.dispatch.fcm;

import com.google.api.client.json.JsonFactory;
import com.google.api.client.json.JsonGenerator;
import com.google.api.client.json.gson.GsonFactory;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.messaging.Message;
import io.herald.dispatch.delivery.SendOutcome;
import io.herald.events.HeraldJson;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.io.CloseMode;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * FCM HTTP v1 {@code messages:send} over Herald's own asynchronous HTTP/2 client: no thread waits for an answer,
 * so thousands of sends can be in flight. The SDK still supplies the credentials (and refreshes the access
 * token) and the message model, serialized exactly as the SDK does ({@code {"message": …}} with Google's JSON
 * factory). Errors are read from the documented error body.
 */
final class FcmDirectClient implements AutoCloseable {

    private static final JsonFactory JSON = GsonFactory.getDefaultInstance();

    private final CloseableHttpAsyncClient http;
    private final URI sendUri;
    private final GoogleCredentials credentials;

    FcmDirectClient(URI baseUrl, String projectId, GoogleCredentials credentials) {
        this.http = FcmTransports.client(baseUrl);
        this.http.start();
        this.sendUri = baseUrl.resolve("/v1/projects/" + projectId + "/messages:send");
        this.credentials = credentials;
    }

    CompletableFuture<SendOutcome> send(Message message) {
        SimpleHttpRequest request;
        try {
            credentials.refreshIfExpired();
            request = SimpleRequestBuilder.post(sendUri)
                    .setBody(body(message), ContentType.APPLICATION_JSON)
                    .addHeader(
                            "Authorization",
                            "Bearer " + credentials.getAccessToken().getTokenValue())
                    .addHeader("X-GOOG-API-FORMAT-VERSION", "2")
                    .build();
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(
                    new SendOutcome.Failed("AUTH", "no access token: " + e.getMessage(), null));
        }
        var outcome = new CompletableFuture<SendOutcome>();
        http.execute(request, new FutureCallback<SimpleHttpResponse>() {
            @Override
            public void completed(SimpleHttpResponse response) {
                outcome.complete(outcome(response));
            }

            @Override
            public void failed(Exception e) {
                outcome.complete(new SendOutcome.Failed("IO", String.valueOf(e.getMessage()), null));
            }

            @Override
            public void cancelled() {
                outcome.complete(new SendOutcome.Failed("IO", "the request was cancelled", null));
            }
        });
        return outcome;
    }

    /**
     * {@code {"message": …}} as the SDK writes it, through a {@link StringWriter}: the SDK's {@code toByteArray}
     * writes character by character through an {@code OutputStreamWriter}, which cost half of the serialization.
     */
    static byte[] body(Message message) throws IOException {
        var text = new StringWriter(512);
        JsonGenerator generator = JSON.createJsonGenerator(text);
        generator.serialize(Map.of("message", message));
        generator.flush();
        return text.toString().getBytes(StandardCharsets.UTF_8);
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

    private static SendOutcome outcome(SimpleHttpResponse response) {
        Header retryAfter = response.getFirstHeader("Retry-After");
        byte[] body = response.getBodyBytes();
        return outcome(
                response.getCode(),
                body == null ? null : new String(body, StandardCharsets.UTF_8),
                retryAfter == null ? null : retryAfter.getValue());
    }

    @Override
    public void close() {
        http.close(CloseMode.GRACEFUL);
    }
}
