package io.herald.dispatch.fcm;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.internal.ApacheHttp2Transport;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.routing.HttpRoutePlanner;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.config.H2Config;

/**
 * How firebase-admin is pointed at the FCM emulator: the SDK's FCM address is fixed, so its HTTP/2 transport gets
 * a client whose every request goes to {@code baseUrl}; plain {@code http} speaks HTTP/2 with prior knowledge
 * (h2c). For the benchmark's SDK baselines ({@link SdkFcmSender} and the naive loop); dispatch-service itself no
 * longer sends through the SDK.
 */
public final class FcmTransports {

    private FcmTransports() {}

    /** Options for an app whose FCM requests all go to {@code baseUrl}, with a fixed bearer token. */
    public static FirebaseOptions emulated(URI baseUrl, String accessToken, String projectId) {
        var farFuture = Date.from(Instant.now().plus(Duration.ofDays(3650)));
        return FirebaseOptions.builder()
                .setCredentials(GoogleCredentials.create(new AccessToken(accessToken, farFuture)))
                .setHttpTransport(new ApacheHttp2Transport(client(baseUrl)))
                .setProjectId(projectId)
                .build();
    }

    /** An HTTP/2 client sending every request to {@code baseUrl}. */
    static CloseableHttpAsyncClient client(URI baseUrl) {
        var target = new HttpHost(
                baseUrl.getScheme(),
                baseUrl.getHost(),
                baseUrl.getPort() < 0 ? ("https".equals(baseUrl.getScheme()) ? 443 : 80) : baseUrl.getPort());
        boolean plain = "http".equals(target.getSchemeName());
        var connections = PoolingAsyncClientConnectionManagerBuilder.create()
                .setMaxConnTotal(200)
                .setMaxConnPerRoute(100)
                .setDefaultTlsConfig(TlsConfig.custom()
                        .setVersionPolicy(plain ? HttpVersionPolicy.FORCE_HTTP_2 : HttpVersionPolicy.NEGOTIATE)
                        .build())
                .build();
        HttpRoutePlanner toTarget = new HttpRoutePlanner() {
            @Override
            public HttpRoute determineRoute(HttpHost host, HttpContext context) {
                return new HttpRoute(target);
            }
        };
        return HttpAsyncClientBuilder.create()
                .setH2Config(H2Config.custom().setMaxConcurrentStreams(100).build())
                .setConnectionManager(connections)
                .setRoutePlanner(toTarget)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .build();
    }
}
