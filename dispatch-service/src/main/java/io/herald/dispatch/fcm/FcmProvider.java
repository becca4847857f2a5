package io.herald.dispatch.fcm;

import com.google.api.core.ApiFutureCallback;
import com.google.api.core.ApiFutures;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.ImplFirebaseTrampolines;
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
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    private final @Nullable FcmDirectClient direct;
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
        FcmDirectClient directClient = null;
        if (created != null && properties.client() == FcmProperties.Client.DIRECT) {
            String projectId = ImplFirebaseTrampolines.getProjectId(created);
            if (projectId == null || projectId.isBlank()) {
                reason = "FCM is off: no project id in the credentials; set herald.dispatch.fcm.project-id";
                created.delete();
                created = null;
            } else {
                directClient = new FcmDirectClient(
                        properties.emulated() ? properties.baseUrl() : java.net.URI.create(FcmProperties.GOOGLE),
                        projectId,
                        ImplFirebaseTrampolines.getCredentials(created),
                        properties.connections(),
                        properties.requestTimeout());
            }
        }
        this.app = created;
        this.messaging = created == null ? null : FirebaseMessaging.getInstance(created);
        this.disabledReason = reason;
        this.direct = directClient;
        if (reason != null) {
            log.warn("{}; FCM deliveries will be dead-lettered with reason provider-disabled", reason);
        } else if (properties.emulated()) {
            log.info("FCM deliveries go to {} (not Google)", properties.baseUrl());
        }
    }

    private static FirebaseOptions options(FcmProperties properties) throws IOException {
        var options = FirebaseOptions.builder();
        if (properties.emulated()) {
            return FcmTransports.emulated(
                    properties.baseUrl(),
                    properties.emulatorAccessToken(),
                    properties.projectId() == null ? "herald-emulated" : properties.projectId());
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
        if (direct != null) {
            return direct.send(FcmMessages.of(delivery, clock.instant()));
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
        if (direct != null) {
            direct.close();
        }
        if (app != null) {
            app.delete();
        }
    }
}
