package io.herald.dispatch.fcm;

import com.google.auth.oauth2.AccessToken;
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
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
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
 * firebase-admin's credentials and message model. When {@code herald.dispatch.fcm.base-url} is not Google's,
 * every request goes to that address instead (an emulator or a proxy) with a fixed access token. When the
 * application context holds an {@link FcmSender} (a benchmark's), that sender is used instead.
 *
 * <p>Without credentials the provider is off: one warning at startup, and every FCM delivery is refused
 * with {@code provider-disabled} (and so dead-lettered), never silently dropped.
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
            FirebaseApp app = null;
            try {
                app = FirebaseApp.initializeApp(options(properties), "herald-dispatch-" + UUID.randomUUID());
                String projectId = ImplFirebaseTrampolines.getProjectId(app);
                if (projectId == null || projectId.isBlank()) {
                    reason = "FCM is off: no project id in the credentials; set herald.dispatch.fcm.project-id";
                } else {
                    chosen = new FcmDirectClient(
                            properties.emulated() ? properties.baseUrl() : URI.create(FcmProperties.GOOGLE),
                            projectId,
                            ImplFirebaseTrampolines.getCredentials(app),
                            properties.connections(),
                            properties.requestTimeout());
                }
            } catch (IOException | RuntimeException e) {
                reason = "FCM is off: no usable credentials (" + e.getMessage() + "); set"
                        + " herald.dispatch.fcm.credentials-path or Application Default Credentials";
            } finally {
                // The app only resolved the credentials and the project id; the credentials outlive it.
                if (app != null) {
                    app.delete();
                }
            }
        }
        this.sender = chosen;
        this.disabledReason = reason;
        if (reason != null) {
            log.warn("{}; FCM deliveries will be dead-lettered with reason provider-disabled", reason);
        } else if (other == null && properties.emulated()) {
            log.info("FCM deliveries go to {} (not Google)", properties.baseUrl());
        }
    }

    private static FirebaseOptions options(FcmProperties properties) throws IOException {
        var options = FirebaseOptions.builder();
        if (properties.emulated()) {
            var farFuture = Date.from(Instant.now().plus(Duration.ofDays(3650)));
            return options.setCredentials(
                            GoogleCredentials.create(new AccessToken(properties.emulatorAccessToken(), farFuture)))
                    .setProjectId(properties.projectId() == null ? "herald-emulated" : properties.projectId())
                    .build();
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
