package io.herald.dispatch.fcm;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.ImplFirebaseTrampolines;
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
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * FCM through Herald's own HTTP/2 client ({@link FcmDirectClient}): one long-lived client for the service, with
 * firebase-admin's credentials and message model. Every request goes to {@code herald.dispatch.fcm.base-url}
 * (Google's, an emulator's or a proxy's), with an access token from the credentials, or the fixed {@code
 * access-token} when one is set (an emulator). When the application context holds an {@link FcmSender} (a
 * benchmark's), that sender is used instead.
 *
 * <p>Without credentials (or with a fixed token but no {@code project-id}) the provider is off: one warning at
 * startup, and every FCM delivery is refused with {@code provider-disabled} (and so dead-lettered), never silently
 * dropped.
 */
@Component
class FcmProvider implements PushProvider, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(FcmProvider.class);
    private static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";

    private final @Nullable FcmSender sender;
    private final @Nullable String disabledReason;
    private final Clock clock;

    FcmProvider(FcmProperties properties, Clock clock, ObjectProvider<FcmSender> plugged) {
        this.clock = clock;
        FcmSender other = plugged.getIfAvailable();
        FcmSender chosen = null;
        String reason = null;
        if (other != null) {
            chosen = other;
            log.info("FCM deliveries go through {}", other.getClass().getSimpleName());
        } else if (!properties.enabled()) {
            reason = "FCM is disabled (herald.dispatch.fcm.enabled=false)";
        } else {
            try {
                chosen = direct(properties);
                if (!properties.baseUrl().toString().equals(FcmProperties.GOOGLE)) {
                    log.info("FCM deliveries go to {} (not Google)", properties.baseUrl());
                }
            } catch (IllegalStateException off) {
                reason = off.getMessage();
            }
        }
        this.sender = chosen;
        this.disabledReason = reason;
        if (reason != null) {
            log.warn("{}; FCM deliveries will be dead-lettered with reason provider-disabled", reason);
        }
    }

    /**
     * Herald's client for {@code properties}.
     *
     * @throws IllegalStateException saying why FCM is off (no credentials, no project id, no usable CA file)
     */
    private static FcmDirectClient direct(FcmProperties properties) {
        String projectId;
        FcmAuth auth;
        if (properties.fixedAccessToken()) {
            projectId = properties.projectId();
            if (projectId == null || projectId.isBlank()) {
                throw new IllegalStateException(
                        "FCM is off: herald.dispatch.fcm.access-token needs herald.dispatch.fcm.project-id");
            }
            auth = FcmAuth.fixed(Objects.requireNonNull(properties.accessToken()));
        } else {
            FirebaseApp app;
            try {
                app = FirebaseApp.initializeApp(options(properties), "herald-dispatch-" + UUID.randomUUID());
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("FCM is off: no usable credentials (" + e.getMessage() + "); set"
                        + " herald.dispatch.fcm.credentials-path or Application Default Credentials (or, for an"
                        + " emulator, herald.dispatch.fcm.access-token)");
            }
            try {
                // The app only resolves the credentials and the project id as firebase-admin does; they outlive it.
                projectId = ImplFirebaseTrampolines.getProjectId(app);
                if (projectId == null || projectId.isBlank()) {
                    throw new IllegalStateException(
                            "FCM is off: no project id in the credentials; set herald.dispatch.fcm.project-id");
                }
                auth = FcmAuth.of(ImplFirebaseTrampolines.getCredentials(app));
            } finally {
                app.delete();
            }
        }
        try {
            return new FcmDirectClient(
                    properties.baseUrl(),
                    projectId,
                    auth,
                    properties.connections(),
                    properties.requestTimeout(),
                    properties.trustedServerCertificate());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalStateException("FCM is off: " + e.getMessage(), e);
        }
    }

    /** firebase-admin's options with the credentials: from the service-account file, or else the defaults. */
    private static FirebaseOptions options(FcmProperties properties) throws IOException {
        GoogleCredentials credentials;
        if (properties.credentialsPath() != null
                && !properties.credentialsPath().isBlank()) {
            try (InputStream in = Files.newInputStream(Path.of(properties.credentialsPath()))) {
                credentials = GoogleCredentials.fromStream(in).createScoped(List.of(SCOPE));
            }
        } else {
            credentials = GoogleCredentials.getApplicationDefault().createScoped(List.of(SCOPE));
        }
        var options = FirebaseOptions.builder().setCredentials(credentials);
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
        FcmSender client = sender;
        if (client == null) {
            throw new UndeliverableException("provider-disabled", String.valueOf(disabledReason));
        }
        return client.send(FcmMessages.of(delivery, clock.instant()));
    }

    @Override
    public void destroy() {
        if (sender != null) {
            sender.close();
        }
    }
}
