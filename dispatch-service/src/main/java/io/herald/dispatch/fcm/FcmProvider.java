package io.herald.dispatch.fcm;

import com.google.api.core.ApiFutureCallback;
import com.google.api.core.ApiFutures;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.internal.ApacheHttp2Transport;
import com.google.firebase.messaging.FirebaseMessaging;
import io.herald.dispatch.delivery.PushProvider;
import io.herald.dispatch.delivery.SendOutcome;
import io.herald.dispatch.delivery.UndeliverableException;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * FCM through the firebase-admin SDK and its HTTP/2 transport: one long-lived client for the service. When
 * {@code herald.dispatch.fcm.base-url} is not Google's, every request goes to that address instead (an
 * emulator or a proxy) with a fixed access token; FCM's URL itself is fixed inside the SDK, so the seam is the
 * transport's route planner.
 *
 * <p>Without credentials the provider is off: one warning at startup, and every FCM delivery is refused
 * with {@code provider-disabled} (and so dead-lettered), never silently dropped.
 */
@Component
class FcmProvider implements PushProvider, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(FcmProvider.class);
    private static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";

    private final @Nullable FirebaseApp app;
    private final @Nullable FirebaseMessaging messaging;
    private final @Nullable String disabledReason;
    private final Clock clock;

    FcmProvider(FcmProperties properties, Clock clock) {
        this.clock = clock;
        FirebaseApp created = null;
        String reason = null;
        if (!properties.enabled()) {
            reason = "FCM is disabled (herald.dispatch.fcm.enabled=false)";
        } else {
            try {
                created = FirebaseApp.initializeApp(options(properties), "herald-dispatch-" + UUID.randomUUID());
            } catch (IOException | RuntimeException e) {
                reason = "FCM is off: no usable credentials (" + e.getMessage() + "); set"
                        + " herald.dispatch.fcm.credentials-path or Application Default Credentials";
            }
        }
        this.app = created;
        this.messaging = created == null ? null : FirebaseMessaging.getInstance(created);
        this.disabledReason = reason;
        if (reason != null) {
            log.warn("{}; FCM deliveries will be dead-lettered with reason provider-disabled", reason);
        } else if (properties.emulated()) {
            log.info("FCM deliveries go to {} (not Google)", properties.baseUrl());
        }
    }

    private static FirebaseOptions options(FcmProperties properties) throws IOException {
        var options = FirebaseOptions.builder();
        if (properties.emulated()) {
            var farFuture = Date.from(Instant.now().plus(java.time.Duration.ofDays(3650)));
            options.setCredentials(
                            GoogleCredentials.create(new AccessToken(properties.emulatorAccessToken(), farFuture)))
                    .setHttpTransport(new ApacheHttp2Transport(emulatorClient(properties)));
            options.setProjectId(properties.projectId() == null ? "herald-emulated" : properties.projectId());
            return options.build();
        }
        GoogleCredentials credentials;
        if (properties.credentialsPath() != null
                && !properties.credentialsPath().isBlank()) {
            try (InputStream in = Files.newInputStream(Path.of(properties.credentialsPath()))) {
                credentials = GoogleCredentials.fromStream(in).createScoped(List.of(SCOPE));
            }
        } else {
            credentials = GoogleCredentials.getApplicationDefault().createScoped(List.of(SCOPE));
        }
        options.setCredentials(credentials);
        if (properties.projectId() != null && !properties.projectId().isBlank()) {
            options.setProjectId(properties.projectId());
        }
        return options.build();
    }

    /** The SDK's HTTP/2 client, every request routed to the configured address; plain http speaks h2c. */
    private static CloseableHttpAsyncClient emulatorClient(FcmProperties properties) {
        var target = new HttpHost(
                properties.baseUrl().getScheme(),
                properties.baseUrl().getHost(),
                properties.baseUrl().getPort() < 0
                        ? ("https".equals(properties.baseUrl().getScheme()) ? 443 : 80)
                        : properties.baseUrl().getPort());
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

    @Override
    public Provider provider() {
        return Provider.FCM;
    }

    @Override
    public CompletableFuture<SendOutcome> send(PushDelivery delivery) {
        FirebaseMessaging client = messaging;
        if (client == null) {
            throw new UndeliverableException("provider-disabled", String.valueOf(disabledReason));
        }
        var outcome = new CompletableFuture<SendOutcome>();
        ApiFutures.addCallback(
                client.sendAsync(FcmMessages.of(delivery, clock.instant())),
                new ApiFutureCallback<String>() {
                    @Override
                    public void onSuccess(String name) {
                        outcome.complete(new SendOutcome.Accepted(name));
                    }

                    @Override
                    public void onFailure(Throwable failure) {
                        outcome.complete(FcmErrors.classify(failure));
                    }
                },
                MoreExecutors.directExecutor());
        return outcome.orTimeout(60, TimeUnit.SECONDS)
                .exceptionally(timeout -> new SendOutcome.Failed("TIMEOUT", "no answer from FCM in 60 s", null));
    }

    @Override
    public void destroy() {
        if (app != null) {
            app.delete();
        }
    }
}
