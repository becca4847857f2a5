package io.herald.dispatch.fcm;

import com.google.firebase.messaging.Message;
import io.herald.dispatch.delivery.SendOutcome;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;

/**
 * dispatch-fcm's {@code direct-jetty} variant, plugged into dispatch-service as its {@link FcmSender}: the direct
 * client's request (the same JSON, headers and reading of the answer) sent with Jetty's HTTP/2 client (the version
 * Spring Boot manages) instead of Herald's own. It measures whether Jetty's client could replace Herald's. It sits
 * in dispatch's package, in the bench's sources, to use dispatch's message writer and answer reader.
 */
public final class JettyFcmSender implements FcmSender {

    private final HttpClient http;
    private final String sendUrl;
    private final String authorization;
    private final long timeoutMillis;

    /** Sends to {@code baseUrl} (the emulator, h2c) over {@code connections} connections. */
    public JettyFcmSender(URI baseUrl, String accessToken, String projectId, int connections, Duration timeout) {
        this.http = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
        http.setMaxConnectionsPerDestination(connections);
        // As Herald's client: every send waits in the client, none is refused for a full queue.
        http.setMaxRequestsQueuedPerDestination(1_000_000);
        http.setFollowRedirects(false);
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty's HTTP client did not start", e);
        }
        this.sendUrl =
                baseUrl.resolve("/v1/projects/" + projectId + "/messages:send").toString();
        this.authorization = "Bearer " + accessToken;
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public CompletableFuture<SendOutcome> send(Message message) {
        byte[] body = FcmJson.body(message);
        var outcome = new CompletableFuture<SendOutcome>();
        http.newRequest(sendUrl)
                .method(HttpMethod.POST)
                .headers(headers ->
                        headers.put(HttpHeader.AUTHORIZATION, authorization).put("x-goog-api-format-version", "2"))
                .body(new BytesRequestContent("application/json", body))
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .send(new BufferingResponseListener(1 << 20) {
                    @Override
                    public void onComplete(Result result) {
                        if (result.isFailed()) {
                            outcome.complete(new SendOutcome.Failed(
                                    "IO", String.valueOf(result.getFailure().getMessage()), null));
                        } else {
                            outcome.complete(FcmDirectClient.outcome(
                                    result.getResponse().getStatus(),
                                    getContentAsString(StandardCharsets.UTF_8),
                                    result.getResponse().getHeaders().get(HttpHeader.RETRY_AFTER)));
                        }
                    }
                });
        return outcome;
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty's HTTP client did not stop", e);
        }
    }
}
